/* Counsellor workspace: comforts for the entry form. The page works without this file. */
(function () {
  "use strict";

  function countUnanswered(form) {
    var missing = 0;
    form.querySelectorAll("[data-item]").forEach(function (fieldset) {
      var answered = fieldset.querySelector("input[type=radio]:checked") !== null;
      fieldset.classList.toggle("is-answered", answered);
      if (!answered) { missing += 1; }
    });
    return missing;
  }

  function showCounter(counter, missing) {
    if (missing === 0) {
      counter.textContent = counter.dataset.none;
      return;
    }
    var strong = document.createElement("strong");
    strong.textContent = String(missing);
    var of = document.createElement("span");
    of.className = "text-body-secondary";
    of.textContent = counter.dataset.of;
    counter.replaceChildren(strong, " ", missing === 1 ? counter.dataset.one : counter.dataset.other,
                            " ", of);
  }

  function setUp(form) {
    var counter = form.querySelector("[data-unanswered-counter]");
    var update = function () {
      if (counter) { showCounter(counter, countUnanswered(form)); }
    };
    form.addEventListener("change", update);
    update();

    // A second click must not send the form twice (the server copes anyway).
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function () {
      if (!button) { return; }
      window.setTimeout(function () {
        button.disabled = true;
        button.dataset.label = button.textContent;
        button.textContent = button.dataset.saving || button.textContent;
      }, 0);
    });
    // Coming back to the page from the browser's history: the button works again.
    window.addEventListener("pageshow", function () {
      if (button && button.disabled) {
        button.disabled = false;
        button.textContent = button.dataset.label || button.textContent;
      }
    });
  }

  document.querySelectorAll("[data-entry-form]").forEach(setUp);

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
