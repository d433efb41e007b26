import Vapor

/// `onecard partner endpoint --library CODE --url URL`: where a partner library's system receives
/// link, unlink and data-change events. Prints the new signing secret, once; running it again rotates it.
struct PartnerCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["endpoint": PartnerEndpointCommand()] }
    var help: String { "Manages partner library systems (webhook endpoints)" }
}
