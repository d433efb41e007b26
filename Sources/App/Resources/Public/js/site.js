// After a failed submission, move focus to the error summary so screen readers announce it first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A new captcha picture without reloading the form (the link reloads the page when scripts are off).
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
