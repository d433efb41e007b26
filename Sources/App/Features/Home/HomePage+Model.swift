/// What `home.leaf` shows: the services, and the consortium's libraries with their desks.
struct HomePage: Encodable {
    struct ServiceLink: Encodable {
        let titleKey: String
        let summaryKey: String
        let path: String
    }

    struct LibraryItem: Encodable {
        let code: String
        let name: String
        let desks: [String]
    }

    let services: [ServiceLink]
    let libraries: [LibraryItem]
}
