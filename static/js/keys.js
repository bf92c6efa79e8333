// Keyboard shortcuts on a thread (the roundup page and a comment's page), as Reddit's and Hacker
// News' readers have them: j/k next/previous comment, n next new comment, r reply, ? this help.
// Ctrl/Cmd+Enter posts the comment box: static/js/compose.js. Without JavaScript there are no
// shortcuts (and no "Keyboard shortcuts" button: it is hidden until this file shows it); every
// comment is still reached with Tab, and "Skip to discussion" is a plain link.
//
// The markup is written in Python (comments/thread/render.py, class DOM) and the help in
// templates/comments/_keys_help.html:
//   .thread-section  .thread  .comment  .is-new  [data-reply]  .reply-link
//   #keys-help  [data-keys-toggle]  [data-keys-close]
"use strict";

(function () {
  var section = document.querySelector(".thread-section");
  if (!section) { return; }
  var help = document.getElementById("keys-help");
  var toggle = document.querySelector("[data-keys-toggle]");
  var returnTo = null; // where the focus goes back to when the help closes

  // Comments a reader can see now: not inside a collapsed comment (a closed <details>).
  function shown(comment) { return !comment.parentElement.closest("details:not([open])"); }

  function visibleComments() {
    return Array.prototype.filter.call(section.querySelectorAll(".thread .comment"), shown);
  }

  function current() { return section.querySelector(".comment.is-current"); }

  function moveTo(comment) {
    var before = current();
    if (before) { before.classList.remove("is-current"); }
    comment.classList.add("is-current");
    if (!comment.hasAttribute("tabindex")) { comment.setAttribute("tabindex", "-1"); }
    comment.focus({ preventScroll: true });
    comment.scrollIntoView({ block: "nearest" });
  }

  // The comment the keys act from: the marked one, else the one holding the focus.
  function here() {
    var marked = current();
    if (marked && shown(marked)) { return marked; }
    var active = document.activeElement;
    return active && active.closest ? active.closest(".thread .comment") : null;
  }

  function step(by) {
    var comments = visibleComments();
    if (!comments.length) { return; }
    var index = comments.indexOf(here());
    var next = index < 0 ? (by > 0 ? 0 : comments.length - 1) : index + by;
    if (next >= 0 && next < comments.length) { moveTo(comments[next]); }
  }

  // Open the folds of the comments holding ``comment`` (and its own), so it can be seen.
  function reveal(comment) {
    for (var node = comment; node && node !== section; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    var fold = comment.querySelector(":scope > details");
    if (fold) { fold.open = true; }
  }

  function nextNew() {
    var all = Array.prototype.slice.call(section.querySelectorAll(".thread .comment"));
    var from = all.indexOf(here());
    for (var i = from + 1; i < all.length; i += 1) {
      if (all[i].classList.contains("is-new")) {
        reveal(all[i]);
        moveTo(all[i]);
        return;
      }
    }
  }

  function reply() {
    var comment = here();
    if (!comment) { return; }
    var inner = ":scope > details > .comment-inner > .comment-actions ";
    var link = comment.querySelector(inner + "[data-reply]");
    if (link) { link.click(); return; } // the inline reply form (thread.js)
    // Signed out the link has no inline form: its page sends the reader to log in and back.
    var page = comment.querySelector(inner + ".reply-link");
    if (page) { window.location.assign(page.href); }
  }

  function openHelp() {
    returnTo = document.activeElement;
    help.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    help.focus();
  }

  function closeHelp() {
    help.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    var back = returnTo && document.contains(returnTo) ? returnTo : toggle;
    returnTo = null;
    back.focus();
  }

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  var KEYS = {
    j: function () { step(1); },
    k: function () { step(-1); },
    n: nextNew,
    r: reply,
    "?": function () { if (help.hidden) { openHelp(); } else { closeHelp(); } }
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && help && !help.hidden) { closeHelp(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    if (typing(event.target)) { return; }
    var action = KEYS[event.key];
    if (!action || (!help && event.key === "?")) { return; }
    event.preventDefault(); // "r" opens a reply box: the r must not be typed into it
    action();
  });

  // A click elsewhere moves the j/k place to the comment clicked.
  section.addEventListener("click", function (event) {
    var comment = event.target.closest && event.target.closest(".thread .comment");
    var before = current();
    if (comment && comment !== before) {
      if (before) { before.classList.remove("is-current"); }
      comment.classList.add("is-current");
    }
  });

  if (help && toggle) {
    toggle.hidden = false; // the shortcuts need this script: no button without it
    toggle.addEventListener("click", function () {
      if (help.hidden) { openHelp(); } else { closeHelp(); }
    });
    help.addEventListener("click", function (event) {
      if (event.target.closest("[data-keys-close]")) { closeHelp(); }
    });
  }
})();
