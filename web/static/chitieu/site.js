// The few behaviours the pages need, here rather than in inline attributes so that the
// Content-Security-Policy can forbid inline scripts (SECURITY.md, "Deployment settings").
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var element = event.target;
    // The translated file picker: show the names of the chosen files.
    if (element.matches("input[type=file][data-file-pick]")) {
      var output = element.parentNode.querySelector("output");
      if (output) {
        output.textContent = Array.from(element.files).map(function (f) { return f.name; }).join(", ");
      }
    }
  });
  // A table wider than a phone's screen scrolls in its own box: let the keyboard reach it too.
  function focusableScrolling() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrolling);
  window.addEventListener("resize", focusableScrolling);
  // A long action (checking or applying a reorganisation): say it is under way, stop a second click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-busy");
    if (!message) {
      return;
    }
    var note = form.querySelector("output.busy");
    if (note) {
      note.textContent = message;
    }
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }, 0);
  });
  // The entry form's live preview: when the figure rule objects, the server marks the box with
  // the problem (data-invalid="numerator" or "denominator"); outline it, and clear the others.
  document.addEventListener("htmx:afterSwap", function (event) {
    var preview = event.detail.target;
    if (!preview.classList || !preview.classList.contains("preview")) {
      return;
    }
    var row = preview.closest(".figures");
    var problem = preview.querySelector("[data-invalid]");
    var part = problem ? problem.getAttribute("data-invalid") : "";
    row.querySelectorAll("input[name^='n-'], input[name^='d-']").forEach(function (box) {
      var bad = (part === "numerator" && box.name.indexOf("n-") === 0) ||
        (part === "denominator" && box.name.indexOf("d-") === 0);
      box.classList.toggle("is-invalid", bad);
      if (bad) {
        box.setAttribute("aria-invalid", "true");
      } else {
        box.removeAttribute("aria-invalid");
      }
    });
  });
})();
