/// A consent text as a reader reads it: the title and the paragraphs (the body's blank-line-separated parts).
struct ConsentStatement: Encodable {
    let title: String
    let paragraphs: [String]

    init(title: String, body: String) {
        self.title = title
        paragraphs = body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
