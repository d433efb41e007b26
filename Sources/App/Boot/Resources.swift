import Foundation

/// Files shipped inside the app target (views, localization, public assets, calendars), found the same
/// way whether the binary runs from the repository, a test runner, or an installed location.
enum Resources {
    static let root: String = {
        let bundled = Bundle.module.bundleURL.appendingPathComponent("Resources").path
        return FileManager.default.fileExists(atPath: bundled) ? bundled : Bundle.module.resourcePath! + "/Resources"
    }()

    static func path(_ relative: String) -> String {
        (root as NSString).appendingPathComponent(relative)
    }
}
