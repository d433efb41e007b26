import Vapor

struct APIClientClientSignature: CommandSignature {
    @Option(name: "client", help: "The client's id, as `api-client list` shows it") var client: String?
    init() {}
}
