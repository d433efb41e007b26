import Vapor

/// Every route of the site and the API, registered from the controllers.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController())
    try app.register(collection: HomeController())
    try app.register(collection: StaffSessionController())
    try app.register(collection: StaffController())
    try app.register(collection: PartnerDeliveriesController())
    try app.register(collection: CardApplicationController())
    try app.register(collection: DeskController())
    try app.register(collection: ReaderSessionController())
    try app.register(collection: PartnerServicesController())
    try app.register(collection: TaipeiPassController())
    try app.register(collection: AccountController())
    try app.register(collection: MobileCardController())
    try app.register(collection: DigitalCardController())
    try app.register(collection: DigitalCardReviewController())
    try app.register(collection: PatronRequestsController())
    try app.register(collection: PasswordResetController())
    try app.register(collection: GroupApplicationController())
    try app.register(collection: GroupContactController())
    try app.register(collection: GroupReviewController())
    try app.register(collection: CardActivationLinkController())
    try app.register(collection: CardApplicationsAPIController())
    try app.register(collection: PartnerPatronsAPIController())
    try app.register(collection: OpenAPIController())
    try app.register(collection: LibrariesAPIController())
}
