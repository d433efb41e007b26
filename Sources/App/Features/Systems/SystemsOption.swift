/// A choice on the back office's system forms (a library, a scope, an encoding): its value, its label and
/// whether it is chosen.
struct SystemsOption: Encodable {
    let value: String
    let label: String
    let checked: Bool
}
