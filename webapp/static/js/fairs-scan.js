/* Fair QR scanning in the browser (no network): the camera's frames are decoded with jsQR
   (webapp/static/vendor/jsQR.js, copied from npm by `make assets`).
   - At the door ([data-fair-door]): a decoded code, or the typed one, goes to the one check-in
     endpoint (JSON) and the answer (签到成功 / 已签到 / why it was refused) is shown.
   - At a booth ([data-fair-booth]): a decoded code fills the code field ([data-scan-target]). */
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function Scanner(root, onCode) {
    this.root = root;
    this.onCode = onCode;
    this.box = root.querySelector("[data-scan-box]") || document.querySelector("[data-scan-box]");
    this.video = this.box.querySelector("[data-scan-video]");
    this.canvas = this.box.querySelector("[data-scan-canvas]");
    this.stream = null;
    this.last = "";
    this.lastAt = 0;
  }

  Scanner.prototype.start = function () {
    var self = this;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.jsQR !== "function") {
      self.onCode(null, "这台设备不能用摄像头扫码，请输入签到码");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        self.stream = stream;
        self.video.srcObject = stream;
        self.box.hidden = false;
        self.video.play();
        self.tick();
      })
      .catch(function () { self.onCode(null, "没有打开摄像头：请允许使用摄像头，或输入签到码"); });
  };

  Scanner.prototype.stop = function () {
    if (this.stream) { this.stream.getTracks().forEach(function (t) { t.stop(); }); }
    this.stream = null;
    this.box.hidden = true;
  };

  Scanner.prototype.tick = function () {
    var self = this;
    if (!self.stream) { return; }
    var v = self.video;
    if (v.readyState >= 2 && v.videoWidth) {
      var c = self.canvas, ctx = c.getContext("2d", { willReadFrequently: true });
      c.width = v.videoWidth; c.height = v.videoHeight;
      ctx.drawImage(v, 0, 0, c.width, c.height);
      var img = ctx.getImageData(0, 0, c.width, c.height);
      var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      // the same code held in front of the camera is sent once every 3 s, not 30 times a second
      if (found && found.data && (found.data !== self.last || now - self.lastAt > 3000)) {
        self.last = found.data; self.lastAt = now;
        self.onCode(found.data, null);
      }
    }
    window.requestAnimationFrame(function () { self.tick(); });
  };

  function show(box, text, kind) {
    box.textContent = text;
    box.className = "door-result door-" + kind;
  }

  function setupDoor(root) {
    var url = root.getAttribute("data-checkin-url");
    var result = root.querySelector("[data-door-result]");
    var form = root.querySelector("[data-checkin-form]");
    var input = form.querySelector("input[name=code]");
    var counter = document.querySelector("[data-checked-count]");
    function send(code) {
      show(result, "正在签到…", "wait");
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify({ code: code })
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (data.ok) {
          show(result, data.name + "：" + data.message, data.already ? "already" : "ok");
          if (!data.already && counter) { counter.textContent = String(parseInt(counter.textContent, 10) + 1); }
        } else {
          show(result, (data.error && data.error.message) || "签到没有成功，请重试", "error");
        }
      }).catch(function () { show(result, "网络不通，请稍后重试", "error"); });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = input.value.trim();
      if (!code) { show(result, "请输入签到码或手机号", "error"); return; }
      send(code);
      input.value = "";
      input.focus();
    });
    var scanner = new Scanner(root, function (code, problem) {
      if (problem) { show(result, problem, "error"); return; }
      send(code);
    });
    wire(root, scanner);
  }

  function setupBooth(root) {
    var target = root.querySelector("[data-scan-target]");
    var scanner = new Scanner(root, function (code, problem) {
      if (problem) { window.alert(problem); return; }
      target.value = code;
      scanner.stop();
      target.focus();
    });
    wire(root, scanner);
  }

  function wire(root, scanner) {
    var start = root.querySelector("[data-scan-start]");
    var stop = (scanner.box && scanner.box.querySelector("[data-scan-stop]"));
    if (start) { start.addEventListener("click", function () { scanner.start(); }); }
    if (stop) { stop.addEventListener("click", function () { scanner.stop(); }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var door = document.querySelector("[data-fair-door]");
    if (door) { setupDoor(door); }
    var booth = document.querySelector("[data-fair-booth]");
    if (booth) { setupBooth(booth); }
  });
}());
