import Foundation

/// Readers' pending requests (name changes, erasure) to the staff member's library.
enum StaffRequestsPage {
    /// What `staff/requests` shows.
    struct Model: Encodable {
        struct Row: Encodable {
            let id: String
            let kind: String
            var kindKey: String { "staff.requests.kind.\(kind)" }
            let cardNumber: String
            let name: String
            let requestedName: String?
            let note: String?
            let requestedAt: String
            let canDecide: Bool
            /// Where the decision on this request posts.
            let decisionPath: String

            enum CodingKeys: String, CodingKey { case id, kind, kindKey, cardNumber, name, requestedName, note, requestedAt, canDecide, decisionPath }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(kind, forKey: .kind)
                try container.encode(kindKey, forKey: .kindKey)
                try container.encode(cardNumber, forKey: .cardNumber)
                try container.encode(name, forKey: .name)
                try container.encodeIfPresent(requestedName, forKey: .requestedName)
                try container.encodeIfPresent(note, forKey: .note)
                try container.encode(requestedAt, forKey: .requestedAt)
                try container.encode(canDecide, forKey: .canDecide)
                try container.encode(decisionPath, forKey: .decisionPath)
            }
        }

        let rows: [Row]
        var notice: String?
    }
}
