// The comment box, wherever it is (thread, reply page, edit page, the inline reply form):
// a live character count against the limit (the textarea has no maxlength, which would cut a
// paste silently: over the limit the count says by how much and posting is refused, here and by
// the server), a Preview that asks the server for the HTML (comments:preview, the same sanitizer
// as posting), Ctrl/Cmd+Enter to post, and "Quote" on text selected in a comment.
// Without JavaScript the Preview button posts the form and the page comes back with the preview.
"use strict";

(function () {
  function length(text) {
    // As the server counts: newlines as one character, spaces around trimmed, code points.
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }

  function counterFor(box) {
    var counter = box.parentElement.querySelector(".char-count");
    if (!counter) {
      counter = document.createElement("p");
      counter.className = "char-count";
      counter.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function overBy(box) {
    var max = parseInt(box.getAttribute("data-max-length"), 10);
    return length(box.value) - max;
  }

  function updateCount(box) {
    var max = parseInt(box.getAttribute("data-max-length"), 10);
    var n = length(box.value);
    var counter = counterFor(box);
    var over = n - max;
    counter.textContent = n.toLocaleString("en") + " / " + max.toLocaleString("en") + " characters" +
      (over > 0 ? ": " + over.toLocaleString("en") + " over the limit, shorten it to post" : "");
    counter.classList.toggle("is-over", over > 0);
    box.setAttribute("aria-invalid", over > 0 ? "true" : "false");
  }

  document.querySelectorAll("textarea[data-max-length]").forEach(updateCount);
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-length]")) {
      updateCount(event.target);
    }
  });

  // Refuse an over-long post before it leaves (the server refuses it too, with its message).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var box = form.querySelector("textarea[data-max-length]");
    if (!box || (event.submitter && event.submitter.hasAttribute("data-preview"))) { return; }
    if (overBy(box) > 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      updateCount(box);
      counterFor(box).textContent = "Too long to post: " + counterFor(box).textContent;
      box.focus();
    }
  }, true);

  // --- preview -------------------------------------------------------------------------------

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showPreview(form, html, error) {
    var panel = form.querySelector(".comment-preview");
    var note = panel.querySelector(".preview-error");
    var body = panel.querySelector(".preview-body");
    note.textContent = error || "";
    note.hidden = !error;
    body.innerHTML = html || ""; // rendered and sanitized by the server, as it will be posted
    panel.hidden = false;
  }

  function preview(form) {
    var data = new FormData();
    data.set("body", form.querySelector("textarea[name=body]").value);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) {
          showPreview(form, "", answer.error || "Could not preview (" + response.status + ").");
        } else {
          showPreview(form, answer.html, "");
        }
      });
    }).catch(function () { showPreview(form, "", "Could not reach the server to preview."); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-preview]");
    if (!button || !button.form || !button.form.getAttribute("data-preview-url")) { return; }
    event.preventDefault();
    preview(button.form);
  });

  // --- Ctrl/Cmd+Enter posts ------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-max-length]") || !box.form) { return; }
    event.preventDefault();
    var submit = box.form.querySelector("button[type=submit]:not([data-preview])");
    box.form.requestSubmit(submit || undefined);
  });

  // --- quote: select text in a comment, press "Quote" ----------------------------------------

  var quoteButton = document.createElement("button");
  quoteButton.type = "button";
  quoteButton.className = "button quote-button";
  quoteButton.textContent = "Quote";
  quoteButton.hidden = true;
  var quoted = null; // {text, comment}

  function selectedQuote() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
    var node = selection.getRangeAt(0).commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    var body = element && element.closest(".comment-body");
    if (!body || body.closest("form")) { return null; }
    var text = selection.toString().trim();
    return text ? { text: text, comment: body.closest(".comment") } : null;
  }

  document.addEventListener("selectionchange", function () {
    quoted = selectedQuote();
    if (!quoted) { quoteButton.hidden = true; return; }
    var actions = quoted.comment && quoted.comment.querySelector(".comment-actions");
    var place = actions || quoted.comment;
    if (place && quoteButton.parentElement !== place) { place.appendChild(quoteButton); }
    quoteButton.hidden = false;
  });

  function asQuote(text) {
    return text.split(/\r?\n/).map(function (line) { return "> " + line; }).join("\n") + "\n\n";
  }

  function insertQuote(box, text) {
    var before = box.value && !/\n\n$/.test(box.value) ? box.value.replace(/\n*$/, "\n\n") : box.value;
    box.value = before + asQuote(text);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    updateCount(box);
  }

  quoteButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
  quoteButton.addEventListener("click", function () {
    if (!quoted) { return; }
    var q = quoted;
    var reply = q.comment && q.comment.querySelector(":scope > details > .comment-inner [data-reply]");
    if (reply) { reply.click(); } // thread.js opens the inline reply form under the comment
    var box = (q.comment && q.comment.querySelector(":scope > details > .comment-inner > .reply-form textarea")) ||
      document.querySelector(".new-comment-form textarea[data-max-length]");
    if (box) { insertQuote(box, q.text); }
    quoteButton.hidden = true;
  });
})();
