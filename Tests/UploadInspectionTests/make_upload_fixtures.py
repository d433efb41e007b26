#!/usr/bin/env python3
"""Fixtures for UploadInspectionTests, written by real programs (Pillow, piexif, zlib, zipfile), and
Pillow's view of a file, so the tests can check that a cleaned picture still opens and shows the same pixels.

    make_upload_fixtures.py make DIR      writes the fixtures into DIR
    make_upload_fixtures.py view FILE     prints what Pillow sees in FILE as JSON

Needs `pip install pillow piexif`; exits 3 when they are missing.
"""
import hashlib
import io
import json
import os
import random
import struct
import sys
import zipfile
import zlib

try:
    import piexif
    from PIL import Image, ImageCms, ImageDraw, PngImagePlugin
except ImportError as error:
    print(f"python3 needs Pillow and piexif for the upload fixtures: pip install pillow piexif ({error})", file=sys.stderr)
    sys.exit(3)

XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Scanner 3000"/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')


def picture(size=(640, 480), mode="RGB"):
    """A picture with edges and gradients, so that a changed byte would show in the pixels."""
    image = Image.new("RGB", size)
    pixels = image.load()
    for y in range(size[1]):
        for x in range(size[0]):
            pixels[x, y] = (x * 255 // size[0], y * 255 // size[1], (x * y) % 256)
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 200, 140], outline=(255, 255, 255), width=5)
    draw.text((60, 70), "A123456789", fill=(0, 0, 0))
    return image.convert(mode)


def rational(value):
    return (int(round(value * 10000)), 10000)


def gps_exif(orientation=6):
    thumbnail = io.BytesIO()
    picture((80, 60)).save(thumbnail, "JPEG")
    return piexif.dump({
        "0th": {
            piexif.ImageIFD.Make: b"PhoneMaker",
            piexif.ImageIFD.Model: b"Phone 12",
            piexif.ImageIFD.Orientation: orientation,
            piexif.ImageIFD.Software: b"Camera 1.0",
        },
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: b"2025:05:20 10:15:00",
            piexif.ExifIFD.BodySerialNumber: b"SN-0042",
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: (rational(25), rational(2), rational(1.5)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: (rational(121), rational(33), rational(54.2)),
        },
        "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
        "thumbnail": thumbnail.getvalue(),
    })


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pdf(objects, trailer=b""):
    """A PDF with a classic cross-reference table; objects are numbered from 1 in order."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def page_objects(catalog_extra=b""):
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(b"BT /F1 12 Tf 72 720 Td (Application form) Tj ET"),
    ]


def stream(data, dictionary=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


def png_predict(data, columns):
    """PNG 'Up' filter on every row, as predictor 12 stores it."""
    out = bytearray()
    previous = bytes(columns)
    for start in range(0, len(data), columns):
        row = data[start:start + columns].ljust(columns, b" ")
        out += b"\x02" + bytes((row[i] - previous[i]) % 256 for i in range(columns))
        previous = row
    return bytes(out)


def object_stream_pdf(action=b"", predictor=False, padding=0):
    """PDF 1.5: the catalog, page tree and page live in a Flate object stream, found through an xref stream."""
    inner = [
        b"<< /Type /Catalog /Pages 2 0 R " + action + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    header = b""
    body = b""
    for index, obj in enumerate(inner):
        header += b"%d %d " % (index + 1, len(body))
        body += obj + b"\n"
    # Whitespace after the objects is harmless to a reader, and only makes the stream inflate to more.
    data = header + body + b" " * padding
    parms = b""
    if predictor:
        data = png_predict(data, 5)
        parms = b"/DecodeParms << /Predictor 12 /Columns 5 >> "
    compressed = zlib.compress(data)

    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    offsets[4] = len(out)
    out += b"4 0 obj\n" + stream(b"BT /F1 12 Tf 72 720 Td (Household register) Tj ET") + b"\nendobj\n"
    offsets[5] = len(out)
    out += (b"5 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode %s/Length %d >>\nstream\n"
            % (len(header), parms, len(compressed)) + compressed + b"\nendstream\nendobj\n")
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 5, index) for index in range(3)]
    rows += [struct.pack(">BIH", 1, offsets[4], 0), struct.pack(">BIH", 1, offsets[5], 0),
             struct.pack(">BIH", 1, offsets[6], 0)]
    xref = zlib.compress(b"".join(rows))
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(xref) + xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6])
    return bytes(out)


def make(directory):
    def write(name, data):
        with open(os.path.join(directory, name), "wb") as file:
            file.write(data)

    def saved(image, kind, **options):
        buffer = io.BytesIO()
        image.save(buffer, kind, **options)
        return buffer.getvalue()

    photo = picture()
    gps = saved(photo, "JPEG", quality=90, exif=gps_exif(), comment=b"counter 3, scanned by staff", xmp=XMP)
    write("gps.jpg", gps)
    write("plain.jpg", saved(photo, "JPEG", quality=85))
    write("progressive.jpg", saved(photo, "JPEG", quality=80, progressive=True, icc_profile=srgb_profile(),
                                   restart_marker_rows=2, exif=gps_exif(orientation=1)))
    write("cmyk.jpg", saved(picture(mode="CMYK"), "JPEG", quality=90))
    # A motion photo: the video follows the picture's end-of-image marker.
    write("motion.jpg", gps + b"\x00\x00\x00\x18ftypmp42" + bytes(random.Random(7).randbytes(4000)))

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Wang Xiaoming")
    info.add_text("Comment", "scanned at the counter " * 20, zip=True)
    info.add_itxt("Description", "國民身分證正面", lang="zh-TW", tkey="說明")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add(b"tIME", struct.pack(">HBBBBB", 2025, 5, 20, 10, 15, 0))
    info.add(b"gAMA", struct.pack(">I", 45455))
    piexif_png = gps_exif(orientation=3)
    write("text.png", saved(picture(mode="RGBA"), "PNG", pnginfo=info, exif=piexif_png, dpi=(300, 300),
                            icc_profile=srgb_profile()))
    palette = picture((120, 90)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    write("palette.png", saved(palette, "PNG", transparency=0))

    # 20000 × 20000 declared in a valid header; the tiny IDAT holds one row, which is all a reader would inflate
    # before noticing. Nothing near 400 megapixels is ever allocated here.
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    write("huge.png", PngImagePlugin._MAGIC + png_chunk(b"IHDR", header)
          + png_chunk(b"IDAT", zlib.compress(b"\x00" + bytes(60000))) + png_chunk(b"IEND", b""))

    write("document.pdf", saved(photo, "PDF", resolution=150))
    pages = [picture((300, 200)), picture((200, 300)), picture((300, 300))]
    write("pages3.pdf", saved(pages[0], "PDF", save_all=True, append_images=pages[1:]))

    write("crafted.pdf", pdf(page_objects()))
    write("javascript.pdf", pdf(page_objects(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")))
    write("escaped-javascript.pdf", pdf(page_objects(b"/OpenAction << /S /J#61vaScript /J#53 5 0 R >> ")
                                        + [stream(b"app.alert(1)")]))
    write("launch.pdf", pdf(page_objects(b"/OpenAction << /S /Launch /F (cmd.exe) >> ")))
    write("embedded.pdf", pdf(page_objects(b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> ")
                              + [stream(b"MZ\x90\x00", b"/Type /EmbeddedFile "),
                                 b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>"]))
    write("encrypted.pdf", pdf(page_objects() + [b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 "
                                                 b"/O <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> "
                                                 b"/U <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> >>"],
                               b"/Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] "))
    huge_image = page_objects()
    huge_image[2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                     b"/Resources << /XObject << /Im0 5 0 R >> >> >>")
    huge_image.append(stream(zlib.compress(bytes(3000)), b"/Type /XObject /Subtype /Image /Width 20000 /Height 20000 "
                                                         b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "))
    write("huge-image.pdf", pdf(huge_image))
    write("objstm.pdf", object_stream_pdf())
    write("objstm-javascript.pdf", object_stream_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> "))
    write("objstm-predictor-javascript.pdf",
          object_stream_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ", predictor=True))
    write("objstm-predictor.pdf", object_stream_pdf(predictor=True))
    # 65 MiB once inflated (about 65 KB as stored): over the checker's budget, and nothing unsafe inside.
    write("objstm-oversized.pdf", object_stream_pdf(padding=65 * 1024 * 1024))

    # Other kinds a person might send instead, written by the programs that make them.
    write("image.gif", saved(picture((64, 48)), "GIF"))
    write("image.bmp", saved(picture((64, 48)), "BMP"))
    write("image.tiff", saved(picture((64, 48)), "TIFF"))
    write("image.webp", saved(picture((64, 48)), "WEBP"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    write("archive.zip", archive.getvalue())

    # Deflate data for the inflater: text and incompressible bytes, at every kind of block.
    rng = random.Random(1)
    source = (b"1 0 obj << /Type /Page >> endobj\n" * 3000) + rng.randbytes(70000) + bytes(100000)
    write("zlib-source.bin", source)
    for level in (0, 1, 6, 9):
        write(f"zlib-level{level}.bin", zlib.compress(source, level))
    fixed = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_FIXED)
    write("zlib-fixed.bin", fixed.compress(source) + fixed.flush())


def view(path):
    with Image.open(path) as image:
        image.load()
        exif = image.getexif()
        print(json.dumps({
            "format": image.format,
            "width": image.width,
            "height": image.height,
            "mode": image.mode,
            "exifTags": sorted(exif.keys()),
            "hasGPS": bool(exif.get_ifd(0x8825)),
            "infoKeys": sorted(str(key) for key in image.info.keys()),
            "textKeys": sorted(getattr(image, "text", {}).keys()),
            "hasICCProfile": bool(image.info.get("icc_profile")),
            "pixelDigest": hashlib.sha256(image.tobytes()).hexdigest(),
        }))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "view":
        view(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
