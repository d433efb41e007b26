import Foundation

/// A reader data file returned with errors, as its organization's contact sees it: a page of the errors
/// (by row and column) and the annotated copy to download and correct; or a clean file in which nobody
/// was left to register, with the people left out.
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
        /// A clean file with nobody left to register used up its letter; a returned one did not.
        let letterUsed: Bool
    }
}
