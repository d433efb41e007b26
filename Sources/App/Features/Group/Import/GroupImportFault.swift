/// A state the import cannot go on from and no visitor can fix: a library without a card number counter,
/// or one whose card numbers are used up. An operator's problem, so it says nothing of HTTP and has no
/// localized message (a request that meets it answers 500, and the log gets this description).
struct GroupImportFault: Error, CustomStringConvertible {
    let description: String
}
