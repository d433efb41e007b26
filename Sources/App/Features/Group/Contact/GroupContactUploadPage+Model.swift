import Foundation

/// A reader data file returned with errors, as its organization's contact sees it: a page of the errors
/// (by row and column), the people left out, and the annotated copy to download and correct.
enum GroupContactUploadPage {
    static let errorsPerPage = 500

    /// What `group/upload` shows.
    struct Model: Encodable {
        struct ErrorRow: Encodable {
            let row: Int
            let column: String
            let message: String
        }

        let organization: String
        let uploadedAt: String
        let letterNumber: String
        let rows: Int
        let errorCount: Int
        let errors: [ErrorRow]
        let pages: [Pagination.Link]
        let firstShown: Int
        let lastShown: Int
        let leftOut: [GroupBatchView.LeftOut]
        let annotatedPath: String?
        let nobodyLeft: Bool
    }
}
