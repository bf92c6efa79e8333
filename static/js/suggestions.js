// /suggestions/: the +1 button toggles in place. Without this script the form posts and the page
// comes back with the new count, so this only saves the reload.
(function () {
  "use strict";
  document.addEventListener("submit", async function (event) {
    const form = event.target.closest("form.suggestion-support");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector(".support-button");
    const error = form.querySelector(".support-error");
    button.disabled = true;
    error.textContent = "";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || "Could not save your +1.");
      form.querySelector("[data-support-count]").textContent = data.count;
      form.querySelector("[data-support-plural]").textContent = data.count === 1 ? "" : "s";
      button.setAttribute("aria-pressed", data.supported ? "true" : "false");
    } catch (failure) {
      error.textContent = failure.message || "Could not save your +1.";
    } finally {
      button.disabled = false;
    }
  });
})();
