// After a failed submission, move focus to the error summary so screen readers announce it first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
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
  var reload = document.getElementById("captcha-reload");
  var image = document.getElementById("captcha-image");
  if (reload && image) {
    reload.addEventListener("click", function (event) {
      event.preventDefault();
      image.src = "/apply/captcha.png?" + Date.now();
      document.getElementById("captcha").value = "";
    });
  }
});
