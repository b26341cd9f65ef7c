// The filing and edit pages: a filter for the classification codes; on the filing page also
// drag and drop and one request per file with a result line for each. Without this script the form still works (all files in one
// post, results as HTML). Written for E-Arsip; no library. Strings come from data-* attributes
// of the form, rendered in the interface language by the server.
(function () {
  "use strict";
  var filter = document.getElementById("code-filter");
  var select = document.getElementById("classification");
  if (filter && select) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var text = option.textContent.toLowerCase();
        option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  }

  var form = document.getElementById("filing-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var input = document.getElementById("file");
  var zone = document.getElementById("dropzone");
  var chosen = document.getElementById("chosen");
  var box = document.getElementById("results-box");
  var list = document.getElementById("results");
  var title = document.getElementById("results-title");
  var label = form.dataset;

  function showChosen() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    chosen.textContent = names.length ? label.labelChosen + " " + names.join(", ") : "";
  }

  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) {
      e.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      showChosen();
    }
  });

  function line(name) {
    var li = document.createElement("li");
    var strong = document.createElement("strong");
    strong.textContent = name;
    li.appendChild(strong);
    li.appendChild(document.createTextNode(" — " + label.labelSending));
    list.appendChild(li);
    return li;
  }

  function show(li, name, outcome) {
    li.className = "outcome outcome-" + outcome.status;
    li.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = name;
    li.appendChild(strong);
    var word = { filed: label.labelFiled, duplicate: label.labelDuplicate,
                 refused: label.labelRefused }[outcome.status] || outcome.status;
    li.appendChild(document.createTextNode(" — " + word + ": "));
    if (outcome.url) {
      var a = document.createElement("a");
      a.href = outcome.url;
      a.textContent = outcome.message;
      li.appendChild(a);
    } else {
      li.appendChild(document.createTextNode(outcome.message));
    }
  }

  function send(file) {
    var li = line(file.name);
    var data = new FormData(form);
    data.delete("file");
    data.append("file", file, file.name);
    return fetch(form.action || window.location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (body && body.results && body.results.length) {
          show(li, file.name, body.results[0]);
          return body.results[0].status === "filed";
        } else {
          show(li, file.name, { status: "refused", message: (body && body.error) ||
            label.labelFailed.replace("{code}", response.status) });
        }
        return false;
      });
    }).catch(function () {
      show(li, file.name, { status: "refused", message: label.labelFailed.replace("{code}", "—") });
      return false;
    });
  }

  // After a filing, empty the fields that belong to the letter just filed (title, number,
  // dates, sender...), so the next one cannot inherit them by mistake; keep those a clerk
  // reuses across a series (data-keep-fields: the classification code and security class).
  function clearLetterFields() {
    var keep = (label.keepFields || "").split(/\s+/);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || keep.indexOf(el.name) !== -1) { return; }
      if (el.type === "hidden" || el.type === "file" || el.type === "submit") { return; }
      el.value = "";
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { return; }
    box.hidden = false;
    list.textContent = "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var filed = false;
    files.reduce(function (chain, file) {
      return chain.then(function () {
        return send(file).then(function (ok) { filed = filed || ok; });
      });
    }, Promise.resolve()).then(function () {
      button.disabled = false;
      if (filed) { clearLetterFields(); }
      input.value = "";
      showChosen();
      title.focus();
    });
  });
}());
