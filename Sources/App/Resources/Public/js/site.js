// After a failed submission, move focus to the error summary so screen readers announce it first.
// A summary marked data-focus-first-error (the card application, whose summary lists the fields in
// form order) sends focus on to the first field in error instead, so the person can correct it at once.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    var target = null;
    if (summary.hasAttribute("data-focus-first-error")) {
      var first = summary.querySelector("a[href^='#']");
      target = first && document.getElementById(first.getAttribute("href").slice(1));
      // A group of choices (a fieldset) is focused through its chosen or first choice.
      if (target && target.tagName === "FIELDSET") {
        target = target.querySelector("input:checked") || target.querySelector("input, select, textarea");
      }
      if (target && target.closest("[hidden]")) { target = null; }
    }
    (target || summary).focus();
  }
  // A new captcha picture without reloading the form (the link reloads the page when scripts are off).
  // The family-card fields only matter for 家庭證; without scripts they simply stay visible.
  var family = document.getElementById("family-fields");
  var cardTypes = document.querySelectorAll("input[name=cardType]");
  function showFamily() {
    var chosen = document.querySelector("input[name=cardType]:checked");
    var isFamily = chosen && chosen.value === "family";
    if (family) { family.hidden = !isFamily; }
  }
  if (family && cardTypes.length) {
    cardTypes.forEach(function (input) { input.addEventListener("change", showFamily); });
    showFamily();
  }
  // 護照核發國家 only matters with a passport number. Without scripts it stays visible and its hint says so;
  // with them it is shown only while 護照號碼 is chosen (its errors only arise then, and the choice is kept).
  var documentKind = document.getElementById("documentKind");
  var countryField = document.getElementById("passportCountry-field");
  function showCountry() { countryField.hidden = documentKind.value !== "passport"; }
  if (documentKind && countryField) {
    documentKind.addEventListener("change", showCountry);
    showCountry();
  }
  var reload = document.getElementById("captcha-reload");
  var image = document.getElementById("captcha-image");
  if (reload && image) {
    reload.addEventListener("click", function (event) {
      event.preventDefault();
      // The image's own address (from SiteURL, through the template), with a new query so it is fetched again.
      image.src = image.getAttribute("src").split("?")[0] + "?" + Date.now();
      document.getElementById("captcha").value = "";
    });
  }
});
