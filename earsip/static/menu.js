// The main menu folds behind a button on narrow screens (without this script it stays open).
(function () {
  "use strict";
  var header = document.querySelector(".top");
  var button = header && header.querySelector(".menu-button");
  if (!button) { return; }
  header.classList.add("foldable");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = header.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
