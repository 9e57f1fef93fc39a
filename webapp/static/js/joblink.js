/* Page behaviour kept out of the templates, so the Content-Security-Policy needs no 'unsafe-inline':
   confirmation before destructive forms, "select all" boxes, and the search page's suggestions,
   filter panel and "my location". */
(function () {
  "use strict";

  // After a refused submit, the keyboard and the screen reader start at the summary of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else {
    var invalid = document.querySelector("main [aria-invalid=true]");
    if (invalid) { invalid.focus(); }
  }

  // Boxes that scroll (wide tables on a phone, long posting texts) can be reached and scrolled by
  // keyboard: focusable, and named for a screen reader after their table's caption or heading.
  document.querySelectorAll(".table-wrap, .review-text, [data-scroll-box]").forEach(function (box) {
    if (box.hasAttribute("tabindex")) { return; }
    box.setAttribute("tabindex", "0");
    if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      var caption = box.querySelector("caption");
      var heading = box.previousElementSibling;
      var name = caption ? caption.textContent : (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "");
      box.setAttribute("aria-label", (name || (box.querySelector("table") ? "表格" : "内容")).trim() + "（可滚动）");
    }
  });

  // <form data-confirm="确定删除…？">: ask before submitting.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // <input type="checkbox" id="select-all">: ticks every input.pick on the page.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (box) { box.checked = all.checked; });
    });
  }

  // Search box suggestions: <input id="q" data-suggest-url="…"> with <datalist id="suggestions">.
  var q = document.getElementById("q"), list = document.getElementById("suggestions");
  var suggestUrl = q && q.getAttribute("data-suggest-url");
  if (q && list && suggestUrl) {
    var timer = null;
    q.addEventListener("input", function () {
      clearTimeout(timer);
      var text = q.value.trim();
      if (!text || text.length > 30) { return; }
      timer = setTimeout(function () {
        fetch(suggestUrl + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {titles: [], occupations: []}; })
          .then(function (data) {
            list.innerHTML = "";
            data.titles.concat(data.occupations.map(function (o) { return o.name; })).forEach(function (t) {
              var opt = document.createElement("option"); opt.value = t; list.appendChild(opt);
            });
          }).catch(function () {});
      }, 200);
    });
  }

  // Filters stay folded on a phone (results first); a wide screen shows them beside the results.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia && window.matchMedia("(min-width: 900px)").matches) {
    filters.open = true;
  }

  // "near=point": fill the hidden lat/lon from the browser's location.
  var near = document.getElementById("near");
  if (near) {
    near.addEventListener("change", function () {
      if (near.value !== "point" || !navigator.geolocation) { return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(5);
        document.getElementById("lon").value = pos.coords.longitude.toFixed(5);
      }, function () {
        window.alert("无法获取当前位置，请在浏览器中允许定位，或选择“我家附近”");
        near.value = "";
      });
    });
  }
})();
