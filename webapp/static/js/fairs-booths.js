/* Booth numbers by dragging (SortableJS from npm, served from /static/vendor): after a drop the
   number fields are rewritten 1, 2, 3… in the new order; without the script the numbers are typed. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-booth-order]");
    if (!list || typeof window.Sortable === "undefined") { return; }
    window.Sortable.create(list, {
      animation: 150,
      onEnd: function () {
        list.querySelectorAll("input[name^='number-']").forEach(function (input, i) { input.value = String(i + 1); });
      }
    });
  });
}());
