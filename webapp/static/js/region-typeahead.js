/* Region typeahead (地区联想) for every <input data-region-typeahead>.
 *
 * While the person types, suggestions from GET /api/v1/regions/suggest appear in a listbox under the
 * field, each with its full name (山东省临沂市兰山区) so same-named districts can be told apart.
 * Keyboard: ArrowDown/ArrowUp move, Enter picks, Escape closes; a click or tap picks too.
 * The attribute's value chooses what a pick writes into the field:
 *   ""      the full name (the server resolves full names to codes),
 *   "code"  the 6-digit code (for filters that take a code),
 *   "multi" the full name replaces the last item of a list separated by 、，, (several regions).
 * No framework, no inline script: the endpoint comes from this script tag's data-suggest-url.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var ENDPOINT = (script && script.getAttribute("data-suggest-url")) || "/api/v1/regions/suggest";
  var DELAY = 180;
  var SEPARATORS = /[,，、;；]/;
  var LEVELS = { 1: "省级", 2: "市级", 3: "区县" };
  var counter = 0;

  function lastItem(value) {
    var parts = value.split(SEPARATORS);
    return parts[parts.length - 1].trim();
  }

  function enhance(input) {
    if (input.getAttribute("data-region-typeahead-ready")) return;
    input.setAttribute("data-region-typeahead-ready", "1");
    var mode = input.getAttribute("data-region-typeahead") || "";
    var id = "region-suggest-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "region-suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "地区建议");
    list.hidden = true;
    var st = list.style;
    st.listStyle = "none"; st.margin = "2px 0 0"; st.padding = "0"; st.background = "#fff";
    st.border = "1px solid #ccc"; st.borderRadius = "6px"; st.maxHeight = "16em"; st.overflowY = "auto";
    // Not inside a wrapping <label>: the suggestions would become part of the field's accessible name.
    var anchor = input.closest("label") || input;
    anchor.insertAdjacentElement("afterend", list);

    var status = document.createElement("div");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.style.position = "absolute"; status.style.left = "-9999px";
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var items = [];
    var active = -1;
    var timer = null;
    var seq = 0;
    var lastQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var nodes = list.children;
      for (var k = 0; k < nodes.length; k++) {
        var on = k === i;
        nodes[k].setAttribute("aria-selected", on ? "true" : "false");
        nodes[k].style.background = on ? "#e3f2fd" : "";
      }
      active = i;
      if (i >= 0 && nodes[i]) {
        input.setAttribute("aria-activedescendant", nodes[i].id);
        if (nodes[i].scrollIntoView) nodes[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(i) {
      var r = items[i];
      if (!r) return;
      if (mode === "code") {
        input.value = r.code;
      } else if (mode === "multi") {
        var parts = input.value.split(SEPARATORS);
        parts.pop();
        parts = parts.map(function (p) { return p.trim(); }).filter(Boolean);
        parts.push(r.full_name);
        input.value = parts.join("、");
      } else {
        input.value = r.full_name;
      }
      lastQuery = mode === "multi" ? lastItem(input.value) : input.value.trim();
      close();
      status.textContent = "已选择：" + r.full_name;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(rows) {
      items = rows;
      list.textContent = "";
      if (!rows.length) {
        close();
        status.textContent = "没有匹配的地区";
        return;
      }
      rows.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-code", r.code);
        li.style.padding = ".45rem .6rem"; li.style.cursor = "pointer"; li.style.borderBottom = "1px solid #eee";
        var name = document.createElement("span");
        name.textContent = r.full_name;
        var meta = document.createElement("small");
        meta.textContent = " " + (LEVELS[r.level] || "") + " " + r.code;
        meta.style.color = "#666";
        li.appendChild(name);
        li.appendChild(meta);
        // mousedown, not click: picking must happen before the input's blur closes the list
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = rows.length + " 个地区建议，用上下方向键选择，回车确认";
    }

    function fetchNow() {
      var q = mode === "multi" ? lastItem(input.value) : input.value.trim();
      if (q === lastQuery && !list.hidden) return;
      lastQuery = q;
      if (!q || q.length > 50) { items = []; close(); return; }
      var mine = ++seq;
      fetch(ENDPOINT + "?q=" + encodeURIComponent(q) + "&limit=10", {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      }).then(function (resp) {
        return resp.ok ? resp.json() : [];
      }).then(function (rows) {
        if (mine !== seq || document.activeElement !== input) return; // a newer keystroke won
        render(Array.isArray(rows) ? rows : []);
      }).catch(function () { /* typeahead is a convenience; typing a name or code still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchNow, DELAY);
    });
    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden && items.length > 0;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (!open) { lastQuery = null; fetchNow(); return; }
        highlight(active < items.length - 1 ? active + 1 : 0);
      } else if (ev.key === "ArrowUp") {
        if (!open) return;
        ev.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (ev.key === "Enter") {
        if (open && active >= 0) { ev.preventDefault(); pick(active); }
      } else if (ev.key === "Escape") {
        if (open) { ev.preventDefault(); close(); }
      } else if (ev.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 120); });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-region-typeahead]");
    for (var i = 0; i < inputs.length; i++) enhance(inputs[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
