// iFarm page behaviour. No inline scripts anywhere: the CSP only allows files from this site.
(function () {
  "use strict";

  function showToasts(root) {
    root.querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el).show();
    });
  }

  // A select marked js-autosubmit submits its form when changed (the farm switcher).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches(".js-autosubmit")) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Buttons with data-confirm ask before submitting (archive, remove member).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // The farm-scope picker: the farm list only matters when "all farms" is unticked.
  function syncFarmScope(root) {
    root.querySelectorAll("input[name='all_farms']").forEach(function (box) {
      var group = box.form && box.form.querySelector(".field-farms");
      if (group) { group.hidden = box.checked; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "all_farms") { syncFarmScope(document); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showToasts(document);
    syncFarmScope(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    showToasts(document);
    syncFarmScope(event.target);
  });
})();
