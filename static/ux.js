// Wide tables scroll in their own box on narrow screens (.table-scroll, CSS only).
// When a box really scrolls, make it reachable by keyboard and name it for screen readers.
// Optional: without JavaScript the boxes still scroll with touch, mouse and (in current browsers) keyboard.
(function () {
  "use strict";
  function nameOf(box) {
    var table = box.querySelector("table");
    if (!table) { return ""; }
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var labelledby = table.getAttribute("aria-labelledby");
    var ref = labelledby && document.getElementById(labelledby.split(" ")[0]);
    if (ref) { return ref.textContent.trim(); }
    return table.getAttribute("aria-label") || "";
  }
  function update() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        var name = nameOf(box);
        if (name) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
// Issue 17: filters fold into a <details> on phone widths unless a filter is in use or has an error.
(function () {
  "use strict";
  function fold() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 37.5rem)").matches) { return; }
    var boxes = document.querySelectorAll("details.filter-details[open]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.querySelector(".has-error, .error-summary") || /[?&](q|stage|unit|profile|status|non_compliance|case|kind|state)=[^&]/.test(window.location.search)) { continue; }
      box.removeAttribute("open");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fold);
  } else {
    fold();
  }
})();
// Issue 17: a link in the error summary puts the focus in its field (the label stays in view),
// as GOV.UK's summary does; without JavaScript the link still scrolls to the field.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']") || target;
    var input = target.tagName === "FIELDSET" ? target.querySelector("input, select, textarea") : target;
    label.scrollIntoView();
    (input || target).focus({ preventScroll: true });
  });
})();
