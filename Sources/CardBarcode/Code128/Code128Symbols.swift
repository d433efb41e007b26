/// The 107 symbol patterns of Code 128 (ISO/IEC 15417, table 1), as bar and space widths in modules,
/// starting with a bar. Values 0–105 are six elements wide (11 modules); 106, stop, is seven (13 modules).
enum Code128Symbols {
    static let codeC = 99
    /// In code set C, the switch back to code set B.
    static let codeB = 100
    static let startB = 104
    static let startC = 105
    static let stop = 106

    static let widths: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ]

    /// The modules of one symbol, dark first.
    static func modules(of value: Int) -> [Bool] {
        var modules: [Bool] = []
        for (index, width) in widths[value].enumerated() {
            modules.append(contentsOf: repeatElement(index.isMultiple(of: 2), count: width.wholeNumberValue!))
        }
        return modules
    }

    /// The mod-103 check symbol: the start value plus each following value times its position.
    static func checksum(_ values: [Int]) -> Int {
        var sum = values[0]
        for (position, value) in values.enumerated().dropFirst() {
            sum += position * value
        }
        return sum % 103
    }
}
