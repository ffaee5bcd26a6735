// Questionnaires and data pages: no inline script (CSP), only behaviour declared in HTML.
// - <form data-confirm="question">: asks before submitting (removals, publishing).
// - <form data-once>: disables its buttons once submitted, so that a double click sends one
//   request; a button's data-busy text replaces its label meanwhile.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      var clicked = event.submitter;
      if (clicked && clicked.name) {
        // A disabled button is not submitted: carry its value in a hidden field.
        var carrier = document.createElement("input");
        carrier.type = "hidden";
        carrier.name = clicked.name;
        carrier.value = clicked.value;
        form.appendChild(carrier);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (button) {
          button.disabled = true;
          if (button === clicked && button.dataset.busy) {
            button.textContent = button.dataset.busy;
          }
        });
      }, 0);
    });
  });
})();
