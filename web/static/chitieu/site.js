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
  // Date boxes (data-vi-date): typed dd/mm/yyyy, or picked from a small calendar drawn here, so that
  // neither the box nor the calendar follows the browser's language (an English browser showed
  // 12/03/2026 for 3 December). Labels come translated from the page.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function readDay(text) {
    var m = /^\s*(\d{1,2})[\/.-](\d{1,2})[\/.-](\d{4})\s*$/.exec(text || "");
    if (!m) { return null; }
    var day = new Date(+m[3], +m[2] - 1, +m[1]);
    return day.getMonth() === +m[2] - 1 ? day : null;
  }
  function dayText(day) { return pad(day.getDate()) + "/" + pad(day.getMonth() + 1) + "/" + day.getFullYear(); }
  function datePicker(input) {
    var open = document.createElement("button");
    open.type = "button";
    open.className = "pick-date";
    open.textContent = input.getAttribute("data-pick");
    open.setAttribute("aria-expanded", "false");
    var box = document.createElement("div");
    box.className = "calendar";
    box.hidden = true;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", input.getAttribute("data-pick"));
    input.parentNode.insertBefore(open, input.nextSibling);
    open.parentNode.insertBefore(box, open.nextSibling);
    var month;
    function button(text, label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      if (label) { b.setAttribute("aria-label", label); }
      b.addEventListener("click", onClick);
      return b;
    }
    function draw() {
      box.textContent = "";
      var head = document.createElement("div");
      head.className = "calendar-head";
      var title = document.createElement("span");
      title.textContent = input.getAttribute("data-month") + " " + (month.getMonth() + 1) + "/" + month.getFullYear();
      head.appendChild(button("‹", input.getAttribute("data-previous"), function () { month.setMonth(month.getMonth() - 1); draw(); }));
      head.appendChild(title);
      head.appendChild(button("›", input.getAttribute("data-next"), function () { month.setMonth(month.getMonth() + 1); draw(); }));
      box.appendChild(head);
      var grid = document.createElement("div");
      grid.className = "calendar-days";
      input.getAttribute("data-weekdays").split(",").forEach(function (name) {
        var cell = document.createElement("span");
        cell.textContent = name;
        cell.setAttribute("aria-hidden", "true");
        grid.appendChild(cell);
      });
      var first = new Date(month.getFullYear(), month.getMonth(), 1);
      for (var i = 0; i < (first.getDay() + 6) % 7; i++) { grid.appendChild(document.createElement("span")); }
      var chosen = readDay(input.value);
      for (var day = new Date(first); day.getMonth() === first.getMonth(); day.setDate(day.getDate() + 1)) {
        var text = dayText(day);
        var pick = button(String(day.getDate()), text, (function (value) {
          return function () { input.value = value; close(); input.focus(); };
        })(text));
        if (chosen && dayText(chosen) === text) { pick.setAttribute("aria-pressed", "true"); }
        grid.appendChild(pick);
      }
      box.appendChild(grid);
    }
    function close() { box.hidden = true; open.setAttribute("aria-expanded", "false"); }
    open.addEventListener("click", function () {
      if (!box.hidden) { close(); return; }
      var chosen = readDay(input.value) || new Date();
      month = new Date(chosen.getFullYear(), chosen.getMonth(), 1);
      draw();
      box.hidden = false;
      open.setAttribute("aria-expanded", "true");
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); open.focus(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-vi-date]").forEach(datePicker);
  });
  // A report download (a PDF takes seconds): say so at once, count the seconds, and fetch it here so
  // that the page can say when it has arrived or why it failed, instead of a blank wait.
  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=utf-8''([^;]+)/i.exec(header);
    if (encoded) { return decodeURIComponent(encoded[1]); }
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || !window.fetch || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var status = link.parentNode.querySelector(".download-status");
    if (!status) { return; }
    event.preventDefault();
    var output = status.querySelector("output");
    var progress = status.querySelector("progress");
    var started = Date.now();
    status.hidden = false;
    progress.hidden = false;
    output.textContent = link.getAttribute("data-busy");
    var timer = window.setInterval(function () {
      output.textContent = link.getAttribute("data-busy") + " " +
        Math.round((Date.now() - started) / 1000) + " " + link.getAttribute("data-seconds");
    }, 1000);
    link.setAttribute("aria-disabled", "true");
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.blob().then(function (blob) {
        var save = document.createElement("a");
        save.href = URL.createObjectURL(blob);
        save.download = filename(response, "bao-cao");
        document.body.appendChild(save);
        save.click();
        save.remove();
        window.setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
        output.textContent = link.getAttribute("data-done");
      });
    }).catch(function (error) {
      output.textContent = link.getAttribute("data-failed") + " (" + error.message + ").";
    }).then(function () {
      window.clearInterval(timer);
      progress.hidden = true;
      link.removeAttribute("aria-disabled");
    });
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
