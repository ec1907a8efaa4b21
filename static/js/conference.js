// Planning a meeting: choosing a meeting type ticks its default member hubs, until the user
// ticks or unticks a hub themselves. Without this file the ?type= link pre-ticks them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-conference-form]");
    var data = document.getElementById("conference-default-hubs");
    if (!form || !data) return;
    var defaults = JSON.parse(data.textContent);
    var select = form.querySelector("select[name=meeting_type]");
    var touched = false;
    form.addEventListener("change", function (event) {
      if (event.target.name === "hubs") touched = true;
    });
    if (!select) return;
    select.addEventListener("change", function () {
      if (touched) return;
      var chosen = (defaults[select.value] || []).map(String);
      form.querySelectorAll("input[name=hubs]").forEach(function (box) {
        box.checked = chosen.indexOf(box.value) !== -1;
      });
    });
  });
})();
