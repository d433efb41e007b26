import Fluent
import Foundation
import OneCardDomain
import SQLKit
import Vapor

/// Card numbers: the library's prefix and the next serial of its counter, taken inside the caller's
/// transaction (the row lock serializes concurrent activations; a rollback gives the serial back).
enum CardNumbers {
    static func next(for library: Library, on db: any Database) async throws -> CardNumber {
        let sql = db as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE card_number_counters SET last_serial = last_serial + 1
            WHERE library_id = \(bind: library.requireID()) RETURNING last_serial
            """).first()
        let serial = try row!.decode(column: "last_serial", as: Int.self)
        return CardNumber.make(prefix: library.cardPrefix, serial: serial)
    }
}
