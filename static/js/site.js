// Roundups site behaviour. Everything here is an enhancement: the pages work without it.
"use strict";

(function () {
  // The paper-entry formset on the authoring form: add a paper, move papers up and down.
  // Order is carried by the visible "Position" fields, so without JavaScript authors type
  // the numbers; with it, the buttons rewrite those numbers to match the order on screen.
  function setUpEntryForms(container) {
    var prefix = container.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var maxForms = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById("entry-form-template");
    var addButton = document.querySelector("[data-add-entry]");

    function forms() {
      return Array.prototype.slice.call(container.querySelectorAll("[data-entry-form]"));
    }

    function isBlank(form) {
      var fields = form.querySelectorAll("input[type=text], input[type=url], textarea");
      return Array.prototype.every.call(fields, function (field) { return !field.value.trim(); });
    }

    function renumber() {
      var position = 0;
      forms().forEach(function (form, index) {
        var label = form.querySelector(".entry-number");
        if (label) { label.textContent = String(index + 1); }
        var input = form.querySelector(".entry-position");
        if (!input) { return; }
        if (isBlank(form) && !input.value) { return; } // unfilled extra forms stay unchanged
        position += 1;
        input.value = String(position);
      });
    }

    function enableMoveButtons(form) {
      var move = form.querySelector("[data-entry-move]");
      if (move) { move.hidden = false; }
    }

    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) { return; }
      var form = button.closest("[data-entry-form]");
      if (button.getAttribute("data-move") === "up" && form.previousElementSibling) {
        container.insertBefore(form, form.previousElementSibling);
      } else if (button.getAttribute("data-move") === "down" && form.nextElementSibling) {
        container.insertBefore(form.nextElementSibling, form);
      } else {
        return;
      }
      renumber();
      button.focus();
    });

    container.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox][name$='-DELETE']")) {
        event.target.closest("[data-entry-form]").classList.toggle("is-removed", event.target.checked);
      }
    });

    forms().forEach(enableMoveButtons);

    if (addButton && template && total) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        if (maxForms && index >= parseInt(maxForms.value, 10)) { return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var form = holder.firstElementChild;
        container.appendChild(form);
        total.value = String(index + 1);
        enableMoveButtons(form);
        renumber();
        var first = form.querySelector("input[type=text], input[type=url]");
        if (first) { first.focus(); }
      });
    }
  }

  // Times shown in the reader's own time zone. The page says them in UTC (the server knows no
  // reader's zone); <time datetime> carries the instant, so the text can be rewritten here.
  function showLocalTimes() {
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      element.title = element.textContent.trim();
      element.textContent = when.toLocaleString(undefined, {
        dateStyle: "medium", timeStyle: "short"
      });
    });
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // A publish-time input (datetime-local has no zone): as sent, its value is UTC and the hidden
  // time_zone field says "UTC". Here both switch to the browser's zone, so the author types
  // their own wall-clock time and the server reads it in that zone (roundups.forms.ScheduleForm).
  function useLocalZone(input) {
    var form = input.form;
    var zoneField = form && form.querySelector("input[name='time_zone']");
    var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zoneField || !zone || (zoneField.value && zoneField.value !== "UTC")) { return; }
    if (input.value) {
      var when = new Date(input.value + "Z");
      if (isNaN(when.getTime())) { return; }
      input.value = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" +
        pad(when.getDate()) + "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
    }
    zoneField.value = zone;
    var help = form.querySelector("[data-zone-help]");
    if (help) {
      help.textContent = help.textContent.replace("Times are in UTC.",
        "Times are in your time zone (" + zone + ").");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-entry-forms]");
    if (container) { setUpEntryForms(container); }
    showLocalTimes();
    document.querySelectorAll("input[data-local-datetime]").forEach(useLocalZone);
  });
})();
