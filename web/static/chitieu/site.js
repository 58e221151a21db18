// The few behaviours the pages need, here rather than in inline attributes so that the
// Content-Security-Policy can forbid inline scripts (SECURITY.md, "Deployment settings").
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var element = event.target;
    // A select that submits its form when a choice is made (the year on the overview).
    if (element.matches("select[data-autosubmit]") && element.form) {
      element.form.submit();
    }
    // The translated file picker: show the names of the chosen files.
    if (element.matches("input[type=file][data-file-pick]")) {
      var output = element.parentNode.querySelector("output");
      if (output) {
        output.textContent = Array.from(element.files).map(function (f) { return f.name; }).join(", ");
      }
    }
  });
})();
