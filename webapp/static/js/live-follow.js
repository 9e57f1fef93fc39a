/* Livestream viewer pages follow the "now presenting" pointer without reloading: poll state.json
   with If-None-Match (a 304 costs one small query on the server), redraw only when it changed.
   Modes: watch (the listing page), overlay (the stream's browser source), carousel (a hall screen). */
(function () {
  "use strict";
  var root = document.getElementById("live-follow");
  if (!root || !window.fetch) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var pollMs = parseInt(root.getAttribute("data-poll-ms"), 10) || 1000;
  var mode = root.getAttribute("data-mode");
  var etag = null;
  var state = null;
  var carouselAt = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function placeText(item) { return item.place + (item.enterprise ? " · " + item.enterprise : ""); }

  function listItem(item, currentId) {
    var li = el("li", "live-item" + (item.id === currentId ? " is-current" : "") + (item.open ? "" : " is-closed"));
    li.setAttribute("data-item-id", item.id);
    var text = el("div", "live-item-text");
    var title = el("p", "live-title", item.title);
    if (!item.open) { title.appendChild(document.createTextNode(" ")); title.appendChild(el("span", "live-filled", "已招满")); }
    text.appendChild(title);
    text.appendChild(el("p", "live-pay", item.pay));
    text.appendChild(el("p", "live-place", placeText(item)));
    if (item.open) {
      var a = el("a", "button live-apply", "我要投递");
      a.href = item.apply_url;
      text.appendChild(a);
    }
    li.appendChild(text);
    if (item.open) {
      var img = el("img", "live-qr");
      img.src = item.qr_url; img.alt = "扫码投递" + item.title; img.width = 120; img.height = 120;
      li.appendChild(img);
    }
    return li;
  }

  function drawWatch() {
    var list = document.getElementById("live-list");
    var status = document.getElementById("live-status");
    if (status) { status.textContent = state.status_label; status.className = "status live-status-" + state.status; }
    if (!list) { return; }
    var fresh = document.createDocumentFragment();
    state.items.forEach(function (item) { fresh.appendChild(listItem(item, state.current_item_id)); });
    list.replaceChildren(fresh);
  }

  function showCard(item, extra) {
    var card = document.getElementById("overlay-card");
    var qr = document.getElementById("overlay-qr");
    card.classList.toggle("is-empty", !item);
    document.getElementById("overlay-title").textContent = item ? item.title : "";
    document.getElementById("overlay-pay").textContent = item ? item.pay : "";
    document.getElementById("overlay-place").textContent = item ? placeText(item) : "";
    document.getElementById("overlay-filled").hidden = !item || item.open;
    qr.hidden = !item || !item.open;
    if (item && item.open && qr.getAttribute("src") !== item.qr_url) { qr.src = item.qr_url; }
    card.setAttribute("data-item-id", item ? item.id : "");
    if (extra) { extra(); }
  }

  function drawOverlay() {
    var current = null;
    state.items.forEach(function (item) { if (item.id === state.current_item_id) { current = item; } });
    showCard(current);
  }

  function openItems() { return state ? state.items.filter(function (i) { return i.open; }) : []; }

  function drawCarousel() {
    var items = openItems();
    if (!items.length) { showCard(null); return; }
    carouselAt = carouselAt % items.length;
    showCard(items[carouselAt], function () {
      document.getElementById("carousel-count").textContent = (carouselAt + 1) + " / " + items.length;
    });
  }

  function draw() {
    root.setAttribute("data-version", state.version);
    root.setAttribute("data-current", state.current_item_id === null ? "" : state.current_item_id);
    if (mode === "watch") { drawWatch(); } else if (mode === "overlay") { drawOverlay(); } else { drawCarousel(); }
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(stateUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (resp) {
        if (resp.status === 304) { return null; }
        if (!resp.ok) { throw new Error("status " + resp.status); }
        etag = resp.headers.get("ETag");
        return resp.json();
      })
      .then(function (data) {
        if (data) { state = data; draw(); }
        setTimeout(poll, pollMs);
      })
      .catch(function () { setTimeout(poll, Math.max(pollMs, 3000)); });  // network hiccup: try again, slower
  }

  if (mode === "carousel") {
    var seconds = parseInt(root.getAttribute("data-seconds"), 10) || 12;
    setInterval(function () { if (state) { carouselAt += 1; drawCarousel(); } }, seconds * 1000);
  }
  poll();
}());
