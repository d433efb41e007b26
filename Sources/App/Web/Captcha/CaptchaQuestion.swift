import Foundation

/// The captcha's text alternative, for those who cannot see the picture (a screen reader reads it out):
/// a sum or difference of two numbers from one to nine, written in words of the page's language, answered
/// in digits. It is no obstacle to a program that reads the words; it is there so that nobody is shut out,
/// and it is single-use and expires like the picture.
struct CaptchaQuestion: Equatable {
    let first: Int
    let second: Int
    let adds: Bool

    var answer: String { String(adds ? first + second : first - second) }

    static func random() -> CaptchaQuestion {
        let a = Int.random(in: 1...9), b = Int.random(in: 1...9)
        let adds = Bool.random()
        // A difference is never negative.
        return adds ? .init(first: a, second: b, adds: true) : .init(first: max(a, b), second: min(a, b), adds: false)
    }

    /// The question in words, e.g. 「請問五加三等於多少？」, through the page's localizer.
    func text(_ t: (String, [String: String]) -> String) -> String {
        t(adds ? "apply.captcha.question.plus" : "apply.captcha.question.minus",
          ["a": t("apply.captcha.number.\(first)", [:]), "b": t("apply.captcha.number.\(second)", [:])])
    }
}
