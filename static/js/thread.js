// The comment thread. Everything here is an enhancement: without JavaScript every action is a
// plain form POST (or a link to a form page) that comes back to the comment's anchor.
// No inline script anywhere: the Content-Security-Policy forbids it, so this file does it all.
//
// The markup it finds its way by is written in Python: comments/thread/render.py, class DOM,
// declares the same names (rename one only in both places):
//   .thread-section  .thread  .comment  .comment-children  .comment-inner  .comment-actions
//   [data-score]  [data-reply]  .vote-form  .vote-up  .vote-down
//   .more-replies  [data-more-replies]  [data-load-more]
// and comments/thread/votes.py, class VoteDOM, the votes':
//   .scores  [data-agreement]  .vote-axis[data-axis]  .vote-strong
"use strict";

(function () {
  var thread = document.querySelector(".thread-section");
  if (!thread) { return; }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // POST a form's fields (plus extra ones) and read the JSON answer, whatever its status.
  function postJSON(form, extra) {
    var data = new FormData(form);
    Object.keys(extra || {}).forEach(function (name) { data.set(name, extra[name]); });
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw new Error(body.error || "Something went wrong (" + response.status + "). Try again.");
        }
        return body;
      });
    });
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  // A score as the page words it (comments/thread/votes.py): "1 point", "-1 point", "2 points".
  function points(n) { return n + (n === 1 || n === -1 ? " point" : " points"); }

  // --- votes: two axes, normal or strong; scores and pressed states updated in place -------
  // Each button posts its axis (its name) and a state: -2 strong down .. 2 strong up; the
  // pressed one posts 0, so pressing it again takes the vote back (comments/thread/votes.py).
  // A strong vote: the doubled arrow; or Shift with a click or Enter/Space on the single one;
  // or, on touch, pressing and holding the single one.

  var HOLD_MS = 500;
  var strongNext = null; // {button, at}: the single arrow whose next press is strong
  var holdTimer = null;
  var held = null; // {button, at}: voted by holding; the click that ends the hold is not a vote

  function isSingle(button) {
    return button && button.classList.contains("vote") && !button.classList.contains("vote-strong");
  }

  // A button's own state (what it casts when not pressed), from its class.
  function stateOf(button) {
    var down = /vote-(down|disagree)/.test(button.className) ? -1 : 1;
    return button.classList.contains("vote-strong") ? 2 * down : down;
  }

  function signed(n) { return n > 0 ? "+" + n : String(n); }

  function hoverText(r) {
    var votes = r.upvotes + r.downvotes;
    var agreeing = r.agree_votes + r.disagree_votes;
    return r.score + " karma from " + plural(votes, "vote") + "; agreement " + signed(r.agreement) +
      " from " + plural(agreeing, "vote");
  }

  function showVoteError(form, message) {
    var note = form.querySelector(".vote-error");
    if (!note) {
      note = document.createElement("span");
      note.className = "vote-error";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = message;
  }

  function applyVote(form, result) {
    var comment = form.closest(".comment");
    var score = comment && comment.querySelector("[data-score]");
    if (score) { score.textContent = points(result.score); }
    var agreement = comment && comment.querySelector("[data-agreement]");
    if (agreement) { agreement.textContent = signed(result.agreement) + " agreement"; }
    var scores = comment && comment.querySelector(".scores");
    if (scores) { scores.title = hoverText(result); }
    var standing = result.value * (result.strong ? 2 : 1);
    var group = form.querySelector('[data-axis="' + result.axis + '"]');
    group.querySelectorAll("button").forEach(function (button) {
      var own = stateOf(button);
      button.setAttribute("aria-pressed", String(own === standing));
      button.value = own === standing ? "0" : String(own);
    });
    var note = form.querySelector(".vote-error");
    if (note) { note.remove(); }
  }

  function castVote(form, chosen, pressed) {
    var hadFocus = document.activeElement === pressed;
    var extra = {};
    extra[chosen.name] = chosen.value;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    postJSON(form, extra)
      .then(function (result) { applyVote(form, result); })
      .catch(function (error) { showVoteError(form, error.message); })
      .finally(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        // Disabling the pressed button dropped the focus to <body>; a keyboard user keeps
        // their place (and can press again to take the vote back) only if it comes back.
        if (hadFocus && document.activeElement === document.body) { pressed.focus(); }
      });
  }

  function markStrong(button) { strongNext = { button: button, at: Date.now() }; }

  thread.addEventListener("click", function (event) {
    var button = event.target.closest(".vote-form .vote");
    if (!button) { return; }
    if (held && held.button === button && Date.now() - held.at < 2000) {
      event.preventDefault();
      held = null;
      return;
    }
    if (event.shiftKey && isSingle(button)) { markStrong(button); }
  }, true);

  thread.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest(".vote-form .vote");
    if (button && event.shiftKey && (event.key === "Enter" || event.key === " ") && isSingle(button)) {
      markStrong(button);
    }
  });

  thread.addEventListener("pointerdown", function (event) {
    var button = event.target.closest(".vote-form .vote");
    if (!button || event.pointerType !== "touch" || !isSingle(button)) { return; }
    clearTimeout(holdTimer);
    button.classList.add("is-holding");
    holdTimer = setTimeout(function () {
      button.classList.remove("is-holding");
      held = { button: button, at: Date.now() };
      castVote(button.form, button.nextElementSibling, button); // its strong twin follows it
    }, HOLD_MS);
  });

  ["pointerup", "pointercancel", "pointerleave"].forEach(function (type) {
    thread.addEventListener(type, function (event) {
      var button = event.target.closest && event.target.closest(".vote-form .vote");
      if (!button) { return; }
      clearTimeout(holdTimer);
      button.classList.remove("is-holding");
    });
  });

  thread.addEventListener("contextmenu", function (event) {
    if (event.target.closest(".vote-form .vote")) { event.preventDefault(); } // long press
  });

  thread.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form")) { return; }
    var button = event.submitter;
    if (!button || !button.name) { return; } // an old browser: let the form post normally
    event.preventDefault();
    var chosen = button;
    if (strongNext && strongNext.button === button && Date.now() - strongNext.at < 2000) {
      chosen = button.nextElementSibling; // the strong twin of the single arrow
    }
    strongNext = null;
    castVote(form, chosen, button);
  });

  // --- reply: an inline form under the comment, posted with fetch ----------------------------

  var template = document.getElementById("reply-form-template");
  var formCount = 0;

  // Random per opened form, so resubmitting one reply is safe and two replies never share a key.
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function openReply(link) {
    var comment = link.closest(".comment");
    var existing = comment.querySelector(":scope > details > .comment-inner > .reply-form");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var form = template.content.firstElementChild.cloneNode(true);
    formCount += 1;
    var id = "reply-body-" + formCount;
    form.querySelector("textarea").id = id;
    form.querySelector("label").setAttribute("for", id);
    form.action = link.href;
    form.querySelector("input[name=idempotency_key]").value = newKey(); // a retry posts once
    var actions = comment.querySelector(":scope > details > .comment-inner > .comment-actions");
    actions.insertAdjacentElement("afterend", form);
    form.querySelector("textarea").focus();
    link.setAttribute("aria-expanded", "true");
  }

  function closeReply(form) {
    var comment = form.closest(".comment");
    var link = comment && comment.querySelector(":scope > details > .comment-inner [data-reply]");
    form.remove();
    if (link) { link.setAttribute("aria-expanded", "false"); link.focus(); }
  }

  function insertReply(form, result) {
    var comment = form.closest(".comment");
    var inner = comment.querySelector(":scope > details > .comment-inner");
    var children = inner.querySelector(":scope > .comment-children");
    if (!children) {
      children = document.createElement("ul");
      children.className = "comment-children";
      inner.appendChild(children);
    }
    var holder = document.createElement("ul");
    holder.innerHTML = result.html; // rendered and escaped by the server, same as the page
    var item = holder.firstElementChild;
    children.appendChild(item);
    form.remove();
    item.classList.add("is-just-posted");
    item.setAttribute("tabindex", "-1");
    item.focus();
    history.replaceState(null, "", "#c" + result.id);
  }

  if (template) {
    thread.addEventListener("click", function (event) {
      var link = event.target.closest("[data-reply]");
      if (link) { event.preventDefault(); openReply(link); return; }
      var cancel = event.target.closest("[data-cancel-reply]");
      if (cancel) { closeReply(cancel.closest("form")); }
    });

    thread.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("reply-form")) { return; }
      event.preventDefault();
      var error = form.querySelector(".form-errors");
      var submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      postJSON(form)
        .then(function (result) { insertReply(form, result); })
        .catch(function (err) {
          error.textContent = err.message;
          error.hidden = false;
          submit.disabled = false;
        });
    });

    thread.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && event.target.closest(".reply-form")) {
        closeReply(event.target.closest(".reply-form"));
      }
    });
  }

  // --- threads in parts: "load more comments" and "N more replies", fetched in place ---------
  // Without JavaScript both are links to server pages (the next part, the comment's own page);
  // here the same addresses answer JSON {html, next} (Accept: application/json) and the
  // comments go where the link was. Comments already on the page are not inserted twice.

  function fetchPart(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw new Error(body.error || "Could not load more (" + response.status + "). Try again.");
        }
        return body;
      });
    });
  }

  function newItems(html) {
    var holder = document.createElement("ul");
    holder.innerHTML = html; // rendered and escaped by the server, same as the page
    return Array.prototype.filter.call(holder.children, function (item) {
      return !(item.id && document.getElementById(item.id));
    });
  }

  function showPartError(link, message) {
    var note = link.parentElement.querySelector(".part-error");
    if (!note) {
      note = document.createElement("span");
      note.className = "part-error";
      note.setAttribute("role", "alert");
      link.insertAdjacentElement("afterend", note);
    }
    note.textContent = " " + message;
  }

  function loadPart(link, list, holder) {
    if (link.getAttribute("aria-busy") === "true") { return; } // one fetch per click, not two
    link.setAttribute("aria-busy", "true");
    fetchPart(link.href).then(function (part) {
      var items = newItems(part.html);
      var before = holder.parentElement === list ? holder : null; // replies go before the link
      items.forEach(function (item) { list.insertBefore(item, before); });
      if (part.next) {
        link.href = part.next + (link.hash || "");
        link.removeAttribute("aria-busy");
      } else {
        holder.remove();
      }
      if (items.length) {
        // Keyboard and screen-reader users land on the first comment that came in.
        items[0].setAttribute("tabindex", "-1");
        items[0].focus();
      }
    }).catch(function (error) {
      link.removeAttribute("aria-busy");
      showPartError(link, error.message);
    });
  }

  thread.addEventListener("click", function (event) {
    var more = event.target.closest("[data-load-more]");
    if (more) {
      var list = thread.querySelector(".thread");
      if (!list) { return; }
      event.preventDefault();
      loadPart(more, list, more.parentElement);
      return;
    }
    var replies = event.target.closest("[data-more-replies]");
    if (replies) {
      var item = replies.closest(".more-replies");
      event.preventDefault();
      loadPart(replies, item.parentElement, item);
    }
  });

  // --- anchors: open collapsed comments that hold the target ---------------------------------
  // Only the folds of comments: a link to "#comments" lands on the discussion and opens nothing
  // by itself (not the "suggest a paper" block, not the author's tools).

  function revealHash() {
    if (!location.hash || location.hash.length < 2) { return; }
    var target = document.getElementById(location.hash.slice(1));
    if (!target || !target.closest(".comment")) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && node.parentElement && node.parentElement.classList.contains("comment")) {
        node.open = true;
      }
    }
    // The comment's own fold too: a link to a collapsed comment should show it.
    var fold = target.classList.contains("comment") ? target.querySelector(":scope > details") : null;
    if (fold) { fold.open = true; }
  }

  window.addEventListener("hashchange", revealHash);
  revealHash();
})();
