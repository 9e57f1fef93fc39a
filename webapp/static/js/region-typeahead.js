/* Typeaheads for places and kinds of work: 地区联想 on every <input data-region-typeahead>, 职业联想
 * on every <input data-occupation-typeahead>.
 *
 * While the person types, suggestions from GET /api/v1/regions/suggest (full names, 山东省临沂市兰山区,
 * so same-named districts can be told apart) or GET /api/v1/occupations/suggest (the classification's
 * name, with the everyday name that found it: 焊工（电焊工）) appear in a listbox under the field.
 * Keyboard: ArrowDown/ArrowUp move, Enter picks, Escape closes; a click or tap picks too.
 * The attribute's value chooses what a pick writes into the field:
 *   ""      the (full) name (the server resolves names to codes),
 *   "code"  the code (for filters that take a code),
 *   "multi" the name replaces the last item of a list separated by 、，, (several regions or occupations).
 * No framework, no inline script: the endpoints come from this script tag's data-suggest-url (regions)
 * and data-occupation-suggest-url.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var DELAY = 180;
  var SEPARATORS = /[,，、;；]/;
  var LEVELS = { 1: "省级", 2: "市级", 3: "区县" };
  var counter = 0;

  function endpoint(attr, fallback) {
    return (script && script.getAttribute(attr)) || fallback;
  }

  // What differs between the two: where suggestions come from, how one reads, the words around it.
  var KINDS = {
    region: {
      attr: "data-region-typeahead", endpoint: endpoint("data-suggest-url", "/api/v1/regions/suggest"),
      noun: "地区",
      text: function (r) { return r.full_name; },
      meta: function (r) { return (LEVELS[r.level] || "") + " " + r.code; }
    },
    occupation: {
      attr: "data-occupation-typeahead",
      endpoint: endpoint("data-occupation-suggest-url", "/api/v1/occupations/suggest"),
      noun: "职业",
      text: function (r) { return r.name; },
      meta: function (r) {
        return (r.matched ? "（" + r.matched + "）" : "") + (r.category ? r.category + " " : "") + r.code;
      }
    }
  };

  function lastItem(value) {
    var parts = value.split(SEPARATORS);
    return parts[parts.length - 1].trim();
  }

  function enhance(input, kind) {
    if (input.getAttribute(kind.attr + "-ready")) return;
    input.setAttribute(kind.attr + "-ready", "1");
    var mode = input.getAttribute(kind.attr) || "";
    var id = "typeahead-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "region-suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", kind.noun + "建议");
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
        parts.push(kind.text(r));
        input.value = parts.join("、");
      } else {
        input.value = kind.text(r);
      }
      lastQuery = mode === "multi" ? lastItem(input.value) : input.value.trim();
      close();
      status.textContent = "已选择：" + kind.text(r);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(rows) {
      items = rows;
      list.textContent = "";
      if (!rows.length) {
        close();
        status.textContent = "没有匹配的" + kind.noun;
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
        name.textContent = kind.text(r);
        var meta = document.createElement("small");
        meta.textContent = " " + kind.meta(r);
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
      status.textContent = rows.length + " 个" + kind.noun + "建议，用上下方向键选择，回车确认";
    }

    function fetchNow() {
      var q = mode === "multi" ? lastItem(input.value) : input.value.trim();
      if (q === lastQuery && !list.hidden) return;
      lastQuery = q;
      if (!q || q.length > 50) { items = []; close(); return; }
      var mine = ++seq;
      fetch(kind.endpoint + "?q=" + encodeURIComponent(q) + "&limit=10", {
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
    Object.keys(KINDS).forEach(function (name) {
      var kind = KINDS[name];
      var inputs = document.querySelectorAll("input[" + kind.attr + "]");
      for (var i = 0; i < inputs.length; i++) enhance(inputs[i], kind);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
