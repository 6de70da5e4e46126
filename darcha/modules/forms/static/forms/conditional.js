// Conditional form fields: without this script every field is shown with its
// "(only if …)" note and the server ignores the ones that do not apply; with it, a
// field is shown only while the field it depends on has one of the listed values.
(function () {
  "use strict";

  function valueOf(scope, name) {
    var inputs = scope.querySelectorAll("[name=\"" + name + "\"]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "checkbox") {
        return input.checked ? "true" : "false";
      }
      if (input.type !== "radio") {
        return input.value;
      }
      if (input.checked) {
        return input.value;
      }
    }
    return "";
  }

  function isHidden(scope, name) {
    var input = scope.querySelector("[name=\"" + name + "\"]");
    var row = input && input.closest("[data-field]");
    return Boolean(row && row.hidden);
  }

  function update(container, scope) {
    // Rows come in form order and depend only on earlier fields, so one pass settles chains.
    container.querySelectorAll("[data-show-if]").forEach(function (row) {
      var field = row.getAttribute("data-show-if");
      var values = JSON.parse(row.getAttribute("data-show-if-values"));
      row.hidden = isHidden(scope, field) || values.indexOf(valueOf(scope, field)) === -1;
    });
  }

  function start() {
    document.querySelectorAll("[data-darcha-form]").forEach(function (container) {
      var scope = container.closest("form") || container;
      container.querySelectorAll("[data-condition-note]").forEach(function (note) {
        note.hidden = true;
      });
      update(container, scope);
      scope.addEventListener("change", function () { update(container, scope); });
      scope.addEventListener("input", function () { update(container, scope); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
