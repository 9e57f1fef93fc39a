/* Run-sheet order on the commissioner's console: drag (Sortable, served locally) or keyboard (focus a
   row, Alt+↑/Alt+↓ or plain ↑/↓ moves it). The whole order is sent to the server at once; the
   "上移/下移" buttons keep working without JavaScript. */
(function () {
  "use strict";
  var list = document.getElementById("run-sheet-list");
  if (!list || !list.getAttribute("data-order-url")) { return; }
  var url = list.getAttribute("data-order-url");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function order() {
    return Array.prototype.map.call(list.querySelectorAll(".run-item"), function (li) { return li.getAttribute("data-item-id"); });
  }

  function renumber() {
    list.querySelectorAll(".run-item").forEach(function (li, i) {
      var strong = li.querySelector(".posting-head strong");
      if (strong) { strong.textContent = strong.textContent.replace(/^\d+\./, (i + 1) + "."); }
    });
  }

  function save() {
    var body = new URLSearchParams({ order: order().join(","), csrf_token: token });
    return fetch(url, { method: "POST", body: body, headers: { Accept: "application/json", "X-CSRFToken": token },
                        credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) { window.location.reload(); return; }
        renumber();
        list.setAttribute("data-saved", order().join(","));
      })
      .catch(function () { window.location.reload(); });
  }

  list.addEventListener("keydown", function (event) {
    var li = event.target;
    if (!li.classList || !li.classList.contains("run-item")) { return; }
    if (event.key === "ArrowUp" && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
    } else if (event.key === "ArrowDown" && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
    } else { return; }
    event.preventDefault();
    li.focus();
    save();
  });

  if (window.Sortable) {
    window.Sortable.create(list, { animation: 150, filter: "textarea,input,button,select", preventOnFilter: false,
                                   onEnd: function (evt) { if (evt.oldIndex !== evt.newIndex) { save(); } } });
  }
}());
