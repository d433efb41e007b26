import Foundation

/// The administrator's page of the library's own closed days (休館日), with the form to add one.
enum StaffCalendarPage {
    /// What `staff/calendar` shows.
    struct Model: Encodable {
        struct Row: Encodable {
            let day: String
            let weekdayKey: String
            let reason: String
            /// Where 重新開館 for this day posts.
            let reopenPath: String
        }

        let library: String
        let rows: [Row]
        var day = ""
        var reason = ""
        var dayError: String?
        var reasonError: String?
        var notice: String?
        /// The day just closed was a holiday or a weekend already (`DayAlreadyOff`), in the page's words.
        var warning: String?
    }
}
