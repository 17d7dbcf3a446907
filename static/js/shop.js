/* The shop's one bit of script: "use my location" fills the fulfilment form with the browser's position,
   and choosing a district sends the form at once. Without it (or when refused) the customer chooses a
   district and taps "update"; the form works either way. */
(function () {
  "use strict";

  function wire(root) {
    (root || document).querySelectorAll("form[data-locate]").forEach(function (form) {
      var button = form.querySelector("button.locate");
      if (!button || !("geolocation" in navigator) || button.dataset.wired) return;
      button.dataset.wired = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(function (position) {
          form.elements.latitude.value = position.coords.latitude.toFixed(6);
          form.elements.longitude.value = position.coords.longitude.toFixed(6);
          form.requestSubmit();
        }, function () {
          button.disabled = false;
          form.elements.district.focus();
        }, { timeout: 10000, maximumAge: 600000 });
      });
      form.elements.district.addEventListener("change", function () {
        var changed = form.querySelector("input[name=district_changed]") || document.createElement("input");
        changed.type = "hidden"; changed.name = "district_changed"; changed.value = "1";
        form.appendChild(changed);
        form.requestSubmit();  // the nearest store with everything is taken at once: no "update" tap
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wire(); });
  document.addEventListener("htmx:afterSettle", function (event) { wire(event.target); });
})();
