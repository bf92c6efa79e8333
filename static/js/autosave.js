// The roundup form saves itself to the server (roundups/autosave.py has the rules): when changed,
// every data-autosave-interval milliseconds (30 s), and when the page is left or hidden. A quiet
// status line says "Saved 12:03" or "Not saved: <reason>". Without JavaScript the form's own
// Save buttons are all there is.
"use strict";

(function () {
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !form.getAttribute("data-autosave-url") || !window.fetch) { return; }
  var status = form.querySelector("[data-autosave-status]");
  var version = form.querySelector("input[name='autosave_version']");
  var KEEPALIVE_MAX = 60000; // browsers refuse keepalive bodies over 64 KB
  var timer = null;
  var inFlight = false;
  var stopped = false; // after a conflict: never overwrite the newer version
  var submitting = false;
  var last = snapshot();

  function fields() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    return data;
  }

  function snapshot() {
    var data = fields();
    data.delete("csrfmiddlewaretoken");
    data.delete("autosave_version");
    return data.toString();
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function clock(iso) {
    var when = iso ? new Date(iso) : new Date();
    return when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function interval() {
    var ms = parseInt(form.getAttribute("data-autosave-interval"), 10);
    return ms > 0 ? ms : 30000;
  }

  function schedule() {
    if (timer === null && !stopped) { timer = window.setTimeout(tick, interval()); }
  }

  function tick() {
    timer = null;
    save(false);
  }

  function moved(data) {
    // The first autosave of a new roundup made it a draft: from now on this page edits it.
    if (!data.edit_url) { return; }
    window.history.replaceState(null, "", data.edit_url);
    form.setAttribute("action", data.edit_url);
    form.setAttribute("data-autosave-url", data.autosave_url);
  }

  function answered(response, data, sent) {
    if (data.version) { version.value = data.version; }
    if (response.ok && data.version) {
      last = sent;
      moved(data);
      say("Saved " + clock(data.saved_at) + (data.message ? " (" + data.message + ")" : ""));
      return;
    }
    if (response.status === 409) { stopped = true; }
    var why = data.error || "the server answered " + response.status + ".";
    say(/^Not saved/.test(why) ? why : "Not saved: " + why, true);
  }

  function save(leaving) {
    if (stopped || submitting) { return; }
    var sent = snapshot();
    if (sent === last) { return; }
    if (inFlight) { if (!leaving) { schedule(); } return; }
    var body = fields();
    inFlight = true;
    window.fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      keepalive: body.toString().length < KEEPALIVE_MAX,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        answered(response, data, sent);
      });
    }).catch(function () {
      say("Not saved: the server could not be reached. Trying again shortly.", true);
      schedule();
    }).then(function () { inFlight = false; });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("pagehide", function () { save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
})();
