// The letter registration page: when the letter's file is chosen, it is sent to
// /letters/prefill, and the values read from it are proposed in the fields still empty (the
// clerk confirms or corrects each; nothing is filed until the form is sent). Also the suggested
// classification codes and the signatures found. Written for E-Arsip; no library. Without this
// script the form works as it is.
(function () {
  "use strict";
  var form = document.getElementById("letter-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var input = document.getElementById("file");
  var status = document.getElementById("prefill-status");
  var hints = document.getElementById("prefill-hints");
  var label = form.dataset;
  var fields = ["letter_number", "letter_date", "subject", "sender"];

  function propose(name, value) {
    var field = document.getElementById(name);
    if (!field || value === null || value === undefined || value === "") { return false; }
    if (field.value && field.value !== field.dataset.proposed) { return false; }  // typed
    field.value = value;
    field.dataset.proposed = value;
    field.classList.add("proposed");
    return true;
  }

  function chooseCode(code) {
    var select = document.getElementById("classification");
    if (!select || !code || (select.value && select.value !== select.dataset.proposed)) { return; }
    Array.prototype.forEach.call(select.options, function (o) {
      if (o.value === code) { select.value = code; select.dataset.proposed = code; }
    });
    select.classList.add("proposed");
  }

  function line(text) {
    var li = document.createElement("li");
    li.textContent = text;
    hints.appendChild(li);
  }

  input.addEventListener("change", function () {
    if (!input.files.length) { return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("file", input.files[0]);
    status.textContent = label.reading;
    hints.textContent = "";
    fetch(label.url, {method: "POST", body: data, credentials: "same-origin",
                      headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (result) {
        var ok = result[0], body = result[1];
        if (!ok) { status.textContent = (body.error && body.error.message) || label.failed; return; }
        var found = 0;
        fields.forEach(function (name) { if (propose(name, body[name])) { found += 1; } });
        chooseCode(body.classification || (body.suggestions[0] && body.suggestions[0].code));
        status.textContent = found ? label.found : label.nothing;
        if (body.classification) { line(label.codeInNumber + " " + body.classification); }
        body.suggestions.forEach(function (s) {
          line(label.suggested + " " + s.code + " (" + Math.round(s.score * 100) + "%)");
        });
        body.signatures.forEach(function (s) {
          line(label.signature + " " + (s.signer || "?") + ": " + (label["sig_" + s.status] || s.status));
        });
      })
      .catch(function () { status.textContent = label.failed; });
  });
}());
