/// One page of a long list (a batch's rows, a returned file's errors): which page was asked for, clamped to
/// the pages there are, and the links to every page when there is more than one.
struct Pagination {
    struct Link: Encodable {
        let number: Int
        let path: String
        let current: Bool
    }

    let page: Int
    let pageCount: Int
    let pageSize: Int

    init(total: Int, pageSize: Int, requested: Int?) {
        self.pageSize = pageSize
        pageCount = max(1, (total + pageSize - 1) / pageSize)
        page = min(max(requested ?? 1, 1), pageCount)
    }

    /// Where this page starts in the whole list.
    var offset: Int { (page - 1) * pageSize }

    /// `path?page=N` for each page (`path&page=N` when `path` already has a query, such as a search's); none when
    /// everything fits on one.
    func links(path: String) -> [Link] {
        let separator = path.contains("?") ? "&" : "?"
        return pageCount > 1 ? (1...pageCount).map { Link(number: $0, path: "\(path)\(separator)page=\($0)", current: $0 == page) } : []
    }
}
