// Shows the receipt's print button where scripts run; without them the browser's own print command works.
document.querySelectorAll("[data-print-button]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
