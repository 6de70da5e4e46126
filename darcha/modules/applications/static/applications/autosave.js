// Saves the answers as a draft a moment after the person stops typing, so that nothing is
// lost and the form can be resumed on another device. Without scripts the "Save as a draft"
// button does the same. Files and removals go with the form itself, never in the background.
(function () {
  "use strict";

  var PAUSE = 1500;

  function start(form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;

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
          return;
        }
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
      }).catch(function () {
        // Offline or the server is busy: the next change tries again, and the buttons still work.
      });
    }

    function later(event) {
      if (event.target.type === "file" || event.target.name === "remove") {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(save, PAUSE);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  if (window.fetch && window.FormData) {
    document.querySelectorAll("form[data-autosave]").forEach(start);
  }
}());
