import Vapor

/// What a form page shows: the values typed (never a password), and an error per field.
struct FormState: Encodable {
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    var hasErrors: Bool { !errors.isEmpty }

    enum CodingKeys: String, CodingKey { case values, errors, hasErrors }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(values, forKey: .values)
        try container.encode(errors, forKey: .errors)
        try container.encode(hasErrors, forKey: .hasErrors)
    }
}
