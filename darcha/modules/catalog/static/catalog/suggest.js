// Suggestions as you type in the site search box. Without this script the box still
// submits to the search results page; with it, a <datalist> offers matching services,
// and choosing one opens its page.
(function () {
  "use strict";
  var input = document.querySelector('form[role="search"] input[name="q"]');
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var endpoint = (form.getAttribute("action") || "/services/search/").replace(/search\/?$/, "suggest/");
  var list = document.createElement("datalist");
  list.id = "catalog-suggestions";
  form.appendChild(list);
  input.setAttribute("list", list.id);
  var urls = {};
  var timer = null;
  var latest = 0;

  function show(suggestions) {
    urls = {};
    list.textContent = "";
    suggestions.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.title;
      urls[item.title] = item.url;
      list.appendChild(option);
    });
  }

  function load() {
    var query = input.value.trim();
    if (query.length < 2) { show([]); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { if (ticket === latest) { show(data.suggestions || []); } })
      .catch(function () { show([]); });
  }

  input.addEventListener("input", function (event) {
    // A choice from the list arrives as an input event without typing.
    if (!event.inputType || event.inputType === "insertReplacementText") {
      var url = urls[input.value];
      if (url) { window.location.assign(url); return; }
    }
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
})();
