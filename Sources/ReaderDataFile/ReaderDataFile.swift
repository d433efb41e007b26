/// Reading and checking reader data files (讀者資料檔) of group applications (集體辦證).
///
/// Entry points: `ReaderDataFileChecker.check(contentsOf:)` / `check(data:)` → `ReaderDataFileReport`
/// (or a thrown `ReaderDataFileError` when the file cannot be read), and `RosterCheck.run(path:checker:message:)`
/// for `onecard roster check`'s JSON and exit code.
///
/// ## Formats (told from the content, never from the name)
/// - **xlsx**: a zip with `xl/workbook.xml`; sheets in workbook order, shared or inline strings, date
///   cells recognised by their number format (built-in 14–17, 22, 27–36, 50–58 or a custom format with
///   y/d/e/g tokens, e.g. the ROC `[$-404]e/m/d`), 1900 system with Lotus's phantom 1900-02-29, or 1904.
/// - **ods**: `mimetype` `application/vnd.oasis.opendocument.spreadsheet`; `number-rows-repeated` and
///   `number-columns-repeated` are never expanded when blank; annotations are not cell text.
/// - **csv**: UTF-8 (BOM optional) when it is valid UTF-8, else Big5 as code page 950 (via iconv);
///   UTF-16 with a BOM too; comma, tab or semicolon, whichever the first lines use most.
/// - Refused (exit 2): encrypted workbooks (OLE compound file with `EncryptedPackage`, or an ods manifest
///   with `encryption-data`), Excel 97–2003 `.xls`, xlsb/docx/odt, pictures and programs, empty files.
///
/// ## Finding the data
/// Each sheet's first 20 non-blank rows are searched for a header row holding at least the required
/// columns 身分證字號, 姓名, 出生日期, 身分別, 電子信箱 (optional: 序號, 性別, 行動電話, 班級/單位, 備註), in
/// any order, in zh-TW or English (`ID number`, `Name`, `Date of birth`, `Role`, `Email`, `No.`, `Gender`,
/// `Mobile`, `Class/Unit`, `Note`, and common variants), compared after NFKC, lower-casing and removing
/// spaces, punctuation and bracketed notes (`出生日期(YYYY/MM/DD)`, `姓名*`). The first such sheet is
/// the data sheet; sheets named like instructions or examples (說明, 範例, instructions, example…) and,
/// in xlsx, hidden sheets are looked at last. Without any, the report holds one `header_missing` error per missing
/// required column, at the row that came closest (or row 1), and `rows` is 0 (exit 1).
/// A repeated header column is `header_duplicate` (the first one is used). A header with no data row
/// below it is `no_data_rows` (at the row below the header, exit 1): an empty file is no application.
///
/// Below the header, a row is blank — skipped, not counted — when every recognised column except 序號
/// is empty (templates come pre-numbered). Row numbers are those the spreadsheet program shows.
///
/// ## Row rules and codes (`RowError.code`; messages in zh-TW)
/// - 身分證字號: `IdentityNumber.parse`'s codes (`id_empty`, `id_length`, `id_character`, `id_first_letter`,
///   `id_second_character`, `id_checksum`); a valid resident certificate or unified ID number is
///   `id_not_national` (foreign residents apply in person for a physical card); a number already on an
///   earlier row is `id_duplicate` on the later row, naming the first.
/// - 姓名: `name_required`; `name_invalid` over 50 characters or with control characters.
/// - 性別 (optional): 男/女/其他, 男性/女性, 男生/女生, M/F/X, male/female/other, or empty; else `gender_invalid`.
///   It is not compared with the ID number's gender digit.
/// - 出生日期: a date cell, or text `2011-05-03`, `2011/5/3`, `2011.5.3`, `2011年5月3日`, ROC `099/05/03`,
///   `99/5/3`, `99.5.3`, `民國99年5月3日`, digits `20110503` / `0990503` / `990503` (a year of four digits is
///   Gregorian, of one to three a ROC year + 1911); a time of day after the date is ignored. Day-first
///   orders (`3/5/2011`) are refused as ambiguous, as are number cells without a date format other than
///   those digit forms. `birth_date_required`, `birth_date_invalid` (also impossible dates and years
///   before 1900), `birth_date_future` (after the injected `today`).
/// - 身分別: 教職員 (also 教師, 老師, 職員, staff, teacher, faculty) or 學生 (student); `role_required`,
///   `role_invalid` for anything else (relatives are not eligible).
/// - 電子信箱: `email_required`, `email_invalid` (dot-atom local part, host name with a letters-only TLD;
///   full-width characters folded, domain lower-cased). The same address on several rows is allowed
///   (siblings often share a parent's address; each card gets its own activation link).
/// - 行動電話 (optional): normalized to `09XXXXXXXX` from `0912-345-678`, `0912 345 678`, `+886 912 345 678`,
///   `886912345678` or a number cell `912345678` that lost its leading 0; else `mobile_invalid`.
/// - 班級/單位, 備註, 序號: kept as written (trimmed), not checked.
///
/// People who already hold a card are the app's check: it calls `ReaderDataFileReport.reject(row:column:code:message:)`
/// for such rows, which moves them from `validRows` to `errors`.
///
/// ## Limits
/// `maximumRows` (default 100,000 data rows, `too_many_rows`), `maximumFileBytes` (64 MiB, `file_too_large`),
/// `maximumUncompressedBytes` (200 MiB inflated in total, counted while inflating whatever the zip
/// declares; also a ratio above 250:1 past 1 MiB — `zip_bomb`), at most 10,000 zip entries, no XML
/// document type declarations (`xml_doctype`), no XML token over 8 MiB (`xml_malformed`).
public enum ReaderDataFile {}
