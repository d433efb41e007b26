/// The link with which the holder of a card made for them (a group digital card) sets their own first
/// password: no password is ever in a file or an email.
enum CardActivation: PatronLinkPurpose {
    static let schema = "patron_activation_tokens"
}

typealias PatronActivationToken = PatronLinkToken<CardActivation>
