// Saves the answers as a draft a moment after the person stops typing, so that nothing is
// lost and the form can be resumed on another device. Without scripts the "Save as a draft"
// button does the same. Files and removals go with the form itself, never in the background.
(function () {
  "use strict";

  var PAUSE = 1500;
  // A save the server could not take (offline, busy, restarting) is tried again, less often
  // each time, so answers typed just before a connection drops still reach the draft.
  var RETRY_PAUSES = [3000, 10000, 30000];

  // True when a field holds something other than what the page came with: the person typed
  // while the page was still loading, before this script could listen.
  function changedBeforeStart(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "file" || field.type === "hidden" || field.name === "remove" || !field.name) {
        return false;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.options) {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.value !== field.defaultValue;
    });
  }

  function start(form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var failures = 0;

    function saveLater(pause) {
      clearTimeout(timer);
      timer = setTimeout(save, pause);
    }

    function failed() {
      if (failures < RETRY_PAUSES.length) {
        saveLater(RETRY_PAUSES[failures]);
      }
      failures += 1;
    }

    function save() {
      var body = new FormData(form);
      form.querySelectorAll("input[type=file]").forEach(function (input) { body.delete(input.name); });
      body.delete("remove");
      body.set("intent", "autosave");
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (saved) {
        if (!saved || !saved.draft) {
          failed();
          return;
        }
        failures = 0;
        var draft = form.querySelector("input[name=draft]");
        if (!draft) {
          draft = document.createElement("input");
          draft.type = "hidden";
          draft.name = "draft";
          form.appendChild(draft);
        }
        draft.value = saved.draft;
        if (status) {
          status.textContent = saved.message;
        }
      }).catch(failed);
    }

    function later(event) {
      if (event.target.type === "file" || event.target.name === "remove") {
        return;
      }
      failures = 0;
      saveLater(PAUSE);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (changedBeforeStart(form)) {
      saveLater(PAUSE);
    }
  }

  if (window.fetch && window.FormData) {
    document.querySelectorAll("form[data-autosave]").forEach(start);
  }
}());
