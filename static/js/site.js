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

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-entry-forms]");
    if (container) { setUpEntryForms(container); }
  });
})();
