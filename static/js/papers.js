// Papers: the "Fill from arXiv" button of the roundup form. An enhancement: without JavaScript
// the button stays hidden and authors type the fields. Loaded only by the roundup form.
"use strict";

(function () {
  // The button sits in each paper's fieldset (and in the <template> site.js clones for new
  // papers), hidden until this script shows it; a click looks up that paper's link.
  var FIELDS = ["title", "authors", "abstract", "year"];

  function field(entry, name) {
    return entry.querySelector("[name$='-" + name + "']");
  }

  function show(rows) {
    Array.prototype.forEach.call(rows, function (row) { row.hidden = false; });
  }

  function say(status, text, isError) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function fill(entry, data) {
    // Only empty fields are filled: an author's own words are never overwritten.
    var kept = [];
    FIELDS.forEach(function (name) {
      var input = field(entry, name);
      var value = data[name] == null ? "" : String(data[name]);
      if (!input || !value) { return; }
      if (input.value.trim() && input.value.trim() !== value) { kept.push(name); return; }
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    return kept;
  }

  function lookUp(button) {
    var entry = button.closest("[data-entry-form]");
    var status = entry.querySelector("[data-arxiv-status]");
    var link = field(entry, "url");
    var url = link ? link.value.trim() : "";
    if (!url) {
      say(status, "Paste the arXiv link into “Paper link” first.", true);
      if (link) { link.focus(); }
      return;
    }
    button.disabled = true;
    say(status, "Asking arXiv…");
    var lookup = button.getAttribute("data-lookup-url") + "?url=" + encodeURIComponent(url);
    fetch(lookup, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          say(status, result.data.error || "The lookup failed; fill the fields by hand.", true);
          return;
        }
        var kept = fill(entry, result.data);
        say(status, kept.length
          ? "Filled from arXiv; kept what you had typed in: " + kept.join(", ") + "."
          : "Filled from arXiv.");
      })
      .catch(function () {
        say(status, "Could not reach the site; check your connection and try again.", true);
      })
      .then(function () { button.disabled = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-arxiv-fill]");
    if (button) { lookUp(button); }
  });

  function init() {
    show(document.querySelectorAll("[data-arxiv-fill-row]"));
    var template = document.getElementById("entry-form-template");
    if (template && template.content) {
      show(template.content.querySelectorAll("[data-arxiv-fill-row]"));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
