// 自然人憑證 through the MOICA card-reader component (HiPKI Local Server, the "跨平台網頁元件") that runs
// on the applicant's computer at http://127.0.0.1:61161.
//
// The component sends no CORS headers, so a page on another origin cannot read its answers with fetch.
// Its documented browser interface is a small window of its own, /popupForm: that window tells its
// opener it is ready ({"func":"getTbs"}), takes one request by postMessage ({"func":"GetUserCert"} or
// {"func":"MakeSignature", ...}), does it against its own /pkcs11info or /sign, posts the answer back
// ({"func":"pkcs11info"|"sign", "ret_code": 0, ...}) and closes. Each request needs its own window, and a
// browser opens one only from a click, so reading the card and signing are two buttons.
//
// The PIN is never asked here: the signing request carries none, and the component asks for it in its
// own window. Only a no-cors probe of the component's address is a fetch (an opaque answer means it is
// running), which is why this page's Content-Security-Policy names exactly that origin in connect-src.
// All text shown comes from the page (#card-messages), in the page's language.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("certificate-form");
  if (!form) { return; }
  var origin = form.getAttribute("data-component");
  var status = document.getElementById("card-status");
  var readButton = document.getElementById("read-card");
  var missing = document.getElementById("component-missing");
  var certificateField = document.getElementById("certificateChain");
  var signatureField = document.getElementById("signature");
  var nonce = document.getElementById("nonce").value;
  var busy = false;

  function message(key, values) {
    var item = document.querySelector("#card-messages [data-key='" + key + "']");
    var text = item ? item.textContent : key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function say(key, values) { status.textContent = message(key, values); }
  function showMissing() {
    missing.hidden = false;
    say("missing");
  }

  // The card signs the nonce as lower-case hex text (CitizenCertificateVerifier.signedText(of:)): letters
  // and digits survive every encoding layer between this page, the component's window and the card.
  function nonceText() {
    var bytes = atob(nonce);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) { hex += ("0" + bytes.charCodeAt(i).toString(16)).slice(-2); }
    return hex;
  }

  // HiPKI return codes (unsigned 32-bit; the component may send them signed).
  function unsigned(code) { code = Number(code); return code < 0 ? code + 0x100000000 : code; }
  function problem(answer) {
    var code = unsigned(answer.ret_code);
    var detail = unsigned(answer.last_error || 0);
    if (detail === 0xA4) { return "locked"; }
    if (detail === 0xA0 || detail === 0xA2 || detail === 0x80000001 || detail === 0x80000002 || code === 0x76100006) { return "wrong_pin"; }
    if (code === 0x76000006 || code === 0x76100003) { return "no_card"; }
    if (code === 0x76000998 || code === 0x76000999) { return "cancelled"; }
    if (code === 0x7600000F || code === 0x76000031) { return "not_allowed"; }
    return null;
  }
  function sayProblem(answer) {
    var key = problem(answer);
    if (key) { say(key); } else { say("failed", { code: "0x" + unsigned(answer.ret_code).toString(16).toUpperCase() }); }
  }

  // One request through one component window. `done(answer, trouble)`: trouble is "missing" when the
  // window never said it was ready, "closed" when the person closed it, "blocked" when it did not open.
  function askComponent(request, done) {
    var target = window.open(origin + "/popupForm", "hipki-local-server", "width=420,height=360,left=100,top=40");
    if (!target) { done(null, "blocked"); return; }
    var ready = false;
    var finished = false;
    function finish(answer, trouble) {
      if (finished) { return; }
      finished = true;
      window.removeEventListener("message", listen);
      clearTimeout(readyTimer);
      clearInterval(closedWatch);
      done(answer, trouble);
    }
    function listen(event) {
      if (event.origin !== origin || event.source !== target || typeof event.data !== "string") { return; }
      var data;
      try { data = JSON.parse(event.data); } catch (error) { return; }
      if (!data || typeof data.func !== "string") { return; }
      if (data.func === "getTbs") {
        ready = true;
        clearTimeout(readyTimer);
        target.postMessage(JSON.stringify(request), origin);
      } else {
        finish(data, null);
      }
    }
    window.addEventListener("message", listen);
    var readyTimer = setTimeout(function () {
      if (!ready) { try { target.close(); } catch (error) { /* already gone */ } finish(null, "missing"); }
    }, 8000);
    // The window closes itself after answering; its answer may arrive just after, so wait a moment.
    var closedWatch = setInterval(function () {
      if (target.closed) { setTimeout(function () { finish(null, ready ? "closed" : "missing"); }, 500); }
    }, 400);
  }
  function trouble(kind) {
    if (kind === "missing") { showMissing(); } else if (kind === "blocked") { say("popup_blocked"); } else { say("cancelled"); }
  }

  function signingCertificate(answer) {
    var slots = answer.slots || [];
    for (var i = 0; i < slots.length; i++) {
      var token = slots[i].token;
      if (!token || typeof token !== "object") { continue; }
      var certs = token.certs || [];
      for (var j = 0; j < certs.length; j++) {
        if (certs[j].usage === "digitalSignature" && certs[j].certb64) { return certs[j]; }
      }
    }
    return null;
  }
  function commonName(subjectDN) {
    var parts = (subjectDN || "").split(",");
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].trim();
      if (pair.indexOf("CN=") === 0) { return pair.slice(3); }
    }
    return "";
  }

  readButton.addEventListener("click", function () {
    if (busy) { return; }
    busy = true;
    say("reading");
    askComponent({ func: "GetUserCert" }, function (answer, kind) {
      busy = false;
      if (!answer) { trouble(kind); return; }
      if (unsigned(answer.ret_code) !== 0) { sayProblem(answer); return; }
      var certificate = signingCertificate(answer);
      if (!certificate) { say("no_certificate"); return; }
      missing.hidden = true;
      certificateField.value = certificate.certb64;
      var name = commonName(certificate.subjectDN);
      var nameField = document.getElementById("name");
      if (nameField && !nameField.value && name) { nameField.value = name; }
      say("read", { name: name });
    });
  });

  form.addEventListener("submit", function (event) {
    var agree = document.getElementById("agree");
    // Without the consent the server answers with the form's errors; nothing needs signing for that.
    if (signatureField.value || (agree && !agree.checked)) { return; }
    event.preventDefault();
    if (busy) { return; }
    if (!certificateField.value) { say("read_first"); readButton.focus(); return; }
    busy = true;
    say("signing");
    askComponent({
      func: "MakeSignature", signatureType: "PKCS7", tbs: nonceText(), tbsEncoding: "NONE",
      hashAlgorithm: "SHA256", withCardSN: "false", nonce: ""
    }, function (answer, kind) {
      busy = false;
      if (!answer) { trouble(kind); return; }
      if (unsigned(answer.ret_code) !== 0 || !answer.signature) { sayProblem(answer); return; }
      signatureField.value = answer.signature;
      say("signed");
      form.submit();
    });
  });

  // Is the component running? An opaque answer to a no-cors request says yes; a refused connection, no.
  say("looking");
  fetch(origin + "/", { mode: "no-cors", cache: "no-store", credentials: "omit" }).then(function () {
    readButton.hidden = false;
    say("found");
  }, function () {
    // Offer the button anyway: a browser may refuse the probe (a local-network permission not yet given)
    // while the component's window still opens; if that fails too, the install help is shown then.
    readButton.hidden = false;
    showMissing();
  });
});
