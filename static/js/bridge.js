/*
 * Huotong 货通 — the till page's side of the hardware bridge (see docs/bridge.md).
 *
 *   <script src="/static/js/bridge.js"
 *           data-bridge-url="ws://127.0.0.1:8765/"   (optional; else localStorage, else this default)
 *           data-bridge-token="..."                  (optional; else localStorage "huotong.bridge.token")
 *           data-autostart="true"                    (optional; "false": call HuotongBridge.start() yourself)
 *           data-keyboard-wedge="on"></script>       (optional; "off": no scans from keyboard-wedge scanners)
 *
 * Events on document.body (they bubble; htmx: hx-trigger="bridge:scan from:body"):
 *   bridge:scan    detail {code, device, source: "bridge" | "keyboard"}
 *   bridge:weight  detail {kg, stable, status, device}   kg is a decimal string ("0.235") or null
 *   bridge:status  detail {connection, scanner, scale, printer, drawer}   (drawer: the printer's state)
 * Status shows in every element with a data-bridge-status attribute ("scanner", "scale", "printer",
 * "connection", or empty for all three): it gets data-state="ready|absent|error" (connection:
 * connecting|connected|offline|unpaired|refused), and its text from data-label-<state> if given.
 * Commands return promises settled by the bridge's reply with the same id; a command cut off by a
 * dropped connection is sent again, with the same id, when the bridge is back (it is never done twice).
 */
(function () {
  "use strict";
  if (window.HuotongBridge) return; // loaded twice (say, by an htmx swap): one client is enough

  var STORAGE_URL = "huotong.bridge.url";
  var STORAGE_TOKEN = "huotong.bridge.token";
  var DEFAULT_URL = "ws://127.0.0.1:8765/";
  var KINDS = ["scanner", "scale", "printer"];
  var CLOSE_BAD_TOKEN = 4401;
  var CLOSE_BAD_ORIGIN = 4403;
  var TEXT_INPUTS = ["text", "search", "email", "number", "password", "tel", "url", ""];
  var MODIFIERS = ["Shift", "CapsLock"]; // a scanner holds Shift for capitals: part of the burst

  var script = document.currentScript;
  var options = {
    url: null,
    token: null,
    backoffInitial: 500, // ms; doubles after each failed attempt ...
    backoffMax: 30000, // ... up to this
    commandTimeout: 30000, // ms a command may wait for its reply, bridge absent or not
    wedgeQuickGap: 50, // ms between the keys of a scanner ...
    wedgeMaxGap: 500, // ... which may pause this long, a few times in a code (Bluetooth, a busy PC)
    wedgeMaxPauses: 2, // more pauses than this: a person typing, not a scanner
    wedgeMinLength: 4,
    keyboardWedge: true,
  };

  var socket = null;
  var connection = "offline";
  var devices = {}; // id -> {id, kind, driver, name, status, reason}
  var pending = {}; // command id -> {message, resolve, reject, timer}
  var retryDelay = options.backoffInitial;
  var retryTimer = null;
  var started = false;

  // --- small helpers -------------------------------------------------------------------------------

  function storage(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      return null; // storage disabled: data attributes still work
    }
    return null;
  }

  function attr(name) {
    return script ? script.getAttribute(name) : null;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // also there on plain-http pages, unlike randomUUID
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  function emit(name, detail) {
    var target = document.body || document.documentElement;
    target.dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  // The bridge speaks codes (bridge/errors.py); the page carries their words in the user's language.
  var errorWords = null;
  function wordsFor(code) {
    if (errorWords === null) {
      var block = document.getElementById("bridge-error-words");
      try { errorWords = block ? JSON.parse(block.getAttribute("data-json")) : {}; } catch (e) { errorWords = {}; }
    }
    return errorWords[code];
  }

  function BridgeError(code, reason) {
    var error = new Error(wordsFor(code) || reason || code);
    error.name = "BridgeError";
    error.code = code;
    error.reason = reason;
    return error;
  }

  // --- device status -------------------------------------------------------------------------------

  function kindState(kind) {
    if (connection !== "connected") return "absent";
    var found = false;
    for (var id in devices) {
      if (devices[id].kind !== kind) continue;
      if (devices[id].status === "ready") return "ready";
      found = true;
    }
    return found ? "error" : "absent";
  }

  function status() {
    var result = { connection: connection };
    KINDS.forEach(function (kind) {
      result[kind] = kindState(kind);
    });
    result.drawer = result.printer; // the drawer hangs off the printer: it opens when the printer can
    return result;
  }

  function show(el, kind, state) {
    el.setAttribute("data-state", state);
    el.title = kind + ": " + state;
    var label = el.getAttribute("data-label-" + state);
    if (label !== null) el.textContent = label;
    else if (!el.children.length) el.textContent = kind + ": " + state;
  }

  function render() {
    var now = status();
    var nodes = document.querySelectorAll("[data-bridge-status]");
    Array.prototype.forEach.call(nodes, function (el) {
      var kind = el.getAttribute("data-bridge-status");
      if (kind) {
        show(el, kind, now[kind] || "absent");
        return;
      }
      KINDS.forEach(function (k) {
        var part = el.querySelector('[data-bridge-kind="' + k + '"]');
        if (!part) {
          part = document.createElement("span");
          part.setAttribute("data-bridge-kind", k);
          el.appendChild(part);
        }
        show(part, k, now[k]);
      });
    });
  }

  var lastStatus = "";
  function changed() {
    render();
    var now = status();
    var key = JSON.stringify(now);
    if (key !== lastStatus) {
      lastStatus = key;
      emit("bridge:status", now);
    }
  }

  function setConnection(state) {
    connection = state;
    changed();
  }

  // --- the connection ------------------------------------------------------------------------------

  function bridgeUrl() {
    var url = currentUrl();
    var token = options.token || attr("data-bridge-token") || storage(STORAGE_TOKEN);
    if (!token) return null;
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "token=" + encodeURIComponent(token);
  }

  function connect() {
    retryTimer = null;
    var url = bridgeUrl();
    if (!url) {
      setConnection("unpaired");
      return;
    }
    setConnection("connecting");
    try {
      socket = new WebSocket(url);
    } catch (e) {
      scheduleRetry();
      return;
    }
    var mine = socket;
    socket.onmessage = function (event) {
      if (mine === socket) receive(event.data);
    };
    socket.onclose = function (event) {
      if (mine !== socket) return;
      socket = null;
      devices = {};
      if (event.code === CLOSE_BAD_TOKEN) setConnection("unpaired");
      else if (event.code === CLOSE_BAD_ORIGIN) setConnection("refused");
      else if (started) {
        setConnection("offline");
        scheduleRetry();
      } else setConnection("offline");
    };
  }

  function scheduleRetry() {
    if (retryTimer || !started) return;
    var jitter = 0.8 + Math.random() * 0.4;
    retryTimer = setTimeout(connect, Math.round(retryDelay * jitter));
    retryDelay = Math.min(retryDelay * 2, options.backoffMax);
  }

  function transmit(entry) {
    if (socket && connection === "connected") socket.send(JSON.stringify(entry.message));
  }

  var handlers = {
    hello: function (message) {
      retryDelay = options.backoffInitial;
      devices = {};
      message.data.devices.forEach(function (d) {
        devices[d.id] = d;
      });
      setConnection("connected");
      for (var id in pending) transmit(pending[id]); // again, with the same id: done at most once
    },
    "device.added": function (message) {
      devices[message.device] = message.data;
      changed();
    },
    "device.status": function (message) {
      devices[message.device] = message.data;
      changed();
    },
    "device.removed": function (message) {
      delete devices[message.device];
      changed();
    },
    scan: function (message) {
      emit("bridge:scan", { code: message.data.code, device: message.device, source: "bridge" });
    },
    weight: function (message) {
      emit("bridge:weight", weightDetail(message));
    },
    ok: function (message) {
      settle(message, true);
    },
    error: function (message) {
      settle(message, false);
    },
  };

  function weightDetail(message) {
    var d = message.data;
    return { kg: d.kg, stable: d.stable, status: d.status, device: message.device };
  }

  function receive(text) {
    var message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return;
    }
    var handler = handlers[message.type];
    if (handler) handler(message);
  }

  function settle(message, ok) {
    var entry = pending[message.id];
    if (!entry) return;
    delete pending[message.id];
    clearTimeout(entry.timer);
    if (ok) {
      if (entry.message.type === "weight.read") emit("bridge:weight", weightDetail(message));
      entry.resolve(message.data);
    } else {
      entry.reject(BridgeError(message.data.code, message.data.reason));
    }
  }

  // --- commands ------------------------------------------------------------------------------------

  function send(type, data, device) {
    return new Promise(function (resolve, reject) {
      var id = newId();
      var entry = {
        message: { type: type, id: id, device: device || null, data: data || {} },
        resolve: resolve,
        reject: reject,
      };
      entry.timer = setTimeout(function () {
        delete pending[id];
        reject(BridgeError("timeout", "no reply from the bridge"));
      }, options.commandTimeout);
      pending[id] = entry;
      transmit(entry);
    });
  }

  // --- keyboard-wedge scanners ---------------------------------------------------------------------
  // A scan box (an input with data-scan-target) has the focus: the box and Enter decide what a code is,
  // whatever the timing (a Bluetooth scanner may pause mid-code). Enter takes the box's whole text as
  // one scan and empties the box at once, so the next code can be typed in while this one is sent.
  // Nothing focused (or a button): the page-wide catch takes keys that come quickly (wedgeQuickGap), with
  // at most wedgeMaxPauses pauses up to wedgeMaxGap, as a code at Enter (a person typing pauses at every
  // key). A scanner's keys that stop without an Enter, or a burst cut by a longer pause, are reported
  // (bridge:partial-scan and a toast), never silently dropped.

  var wedge = { chars: "", last: 0, pauses: 0, timer: null };

  function scannerLike() { return wedge.pauses <= options.wedgeMaxPauses; }

  function isTextField(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && TEXT_INPUTS.indexOf((el.getAttribute("type") || "").toLowerCase()) !== -1;
  }

  function isScanBox(el) {
    return isTextField(el) && el.tagName === "INPUT" && el.hasAttribute("data-scan-target");
  }

  function reportPartial(chars) {
    emit("bridge:partial-scan", { code: chars, source: "keyboard" });
    var box = document.getElementById("toasts");
    var words = wordsFor("partial_scan");
    if (!box || !words) return;
    var toast = document.createElement("div");
    toast.className = "toast error";
    toast.setAttribute("role", "alert");
    toast.textContent = words.replace("{code}", chars);
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  function flushWedge() {
    clearTimeout(wedge.timer);
    wedge.timer = null;
    if (wedge.chars.length >= options.wedgeMinLength && scannerLike()) reportPartial(wedge.chars); // no Enter came
    wedge.chars = "";
    wedge.pauses = 0;
  }

  // The page's own scan box (#scan-code, [data-scan-code]) is emptied at once: the code is an event now,
  // and the box is ready for the next one. A box that asked for one code (a payment code, a serial, a
  // lot) keeps it; one that submits on a scan (data-scan-submit) is submitted by the page's handler.
  function onScanBoxEnter(event, box) {
    var code = box.value.trim();
    if (!code) return; // an empty Enter does what it always did
    var pageBox = box.id === "scan-code" || box.hasAttribute("data-scan-code");
    if (pageBox || box.hasAttribute("data-scan-submit")) {
      event.preventDefault();
      event.stopPropagation();
    }
    if (pageBox) box.value = "";
    emit("bridge:scan", { code: code, device: null, source: "keyboard" });
  }

  function onKeydown(event) {
    if (!options.keyboardWedge) return;
    var target = event.target;
    if (isScanBox(target)) {
      // The page put the focus into its scan box in the middle of a scan caught outside it: the keys
      // caught so far are the head of the code the box is getting.
      if (wedge.chars && Date.now() - wedge.last <= options.wedgeMaxGap) target.value += wedge.chars;
      else if (wedge.chars) flushWedge();
      clearTimeout(wedge.timer);
      wedge.chars = "";
      wedge.pauses = 0;
      if (event.key === "Enter" && !event.isComposing) onScanBoxEnter(event, target);
      return;
    }
    if (isTextField(target)) {
      if (wedge.chars) flushWedge();
      return;
    }
    if (MODIFIERS.indexOf(event.key) !== -1) return;
    var now = Date.now();
    if (wedge.chars && now - wedge.last > options.wedgeMaxGap) flushWedge(); // a pause cut the burst
    if (event.key === "Enter") {
      var code = wedge.chars;
      var scanner = scannerLike();
      clearTimeout(wedge.timer);
      wedge.chars = "";
      wedge.pauses = 0;
      if (!scanner) return; // a person typing on the page, not a scan
      if (code.length >= options.wedgeMinLength) {
        event.preventDefault();
        event.stopPropagation();
        emit("bridge:scan", { code: code, device: null, source: "keyboard" });
      } else if (code) {
        reportPartial(code);
      }
      return;
    }
    if (event.key.length !== 1 || event.ctrlKey || event.altKey || event.metaKey) {
      if (wedge.chars) flushWedge();
      return;
    }
    if (wedge.chars && now - wedge.last > options.wedgeQuickGap) wedge.pauses += 1;
    wedge.chars += event.key;
    wedge.last = now;
    clearTimeout(wedge.timer);
    wedge.timer = setTimeout(flushWedge, options.wedgeMaxGap + 50);
  }

  // Scans are sent one after another, never dropped: a scan that comes while the last one is still on
  // its way waits for it (htmx would keep only the newest of several waiting requests). form() finds the
  // scan form when the scan is sent (a swap may have replaced it); the code travels as the form's
  // "code" field, the form's other fields (a quantity typed first) with it.
  var scanQueue = Promise.resolve();

  function sendScan(form, code) {
    scanQueue = scanQueue.then(function () {
      var element = typeof form === "function" ? form() : form;
      if (!element || !window.htmx) return null;
      var url = element.getAttribute("hx-post") || element.getAttribute("action");
      // The form is checked and read as the request starts (at once): the code is in its field just then,
      // and what is being typed into the field for the next scan is put back.
      var field = element.elements.code;
      var typed = field ? field.value : "";
      if (field) field.value = code;
      try {
        return window.htmx.ajax("POST", url, { source: element, values: { code: code } });
      } finally {
        if (field) field.value = typed;
      }
    }).then(null, function () { return null; }); // a failed send does not stop the ones after it
    return scanQueue;
  }

  // A swap that replaces a scan box while the next code is being typed into it keeps what was typed
  // (htmx gives the new box the focus back; the text would be lost).
  var typedInBox = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var box = document.activeElement;
    typedInBox = isScanBox(box) && box.id && box.value ? { id: box.id, value: box.value } : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!typedInBox) return;
    var box = document.getElementById(typedInBox.id);
    if (box && !box.value && document.activeElement === box) box.value = typedInBox.value;
    typedInBox = null;
  });

  // --- public --------------------------------------------------------------------------------------

  function start(overrides) {
    for (var key in overrides || {}) options[key] = overrides[key];
    retryDelay = options.backoffInitial;
    if (started) return;
    started = true;
    connect();
  }

  function stop() {
    started = false;
    clearTimeout(retryTimer);
    retryTimer = null;
    if (socket) socket.close(1000, "page asked");
  }

  // The bridge listens on this machine's loopback only (and the pages' Content-Security-Policy allows
  // no other socket): an address elsewhere is refused, so a link can never send the till's scans away.
  var LOOPBACK_URL = /^ws:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?\/?$/;

  function loopbackUrl(url) {
    if (!url) return null;
    url = String(url).trim();
    if (!LOOPBACK_URL.test(url)) return null;
    return url.charAt(url.length - 1) === "/" ? url : url + "/";
  }

  function pair(token, url) {
    if (url && !loopbackUrl(url)) throw BridgeError("bad_address", "not a loopback websocket address: " + url);
    url = loopbackUrl(url);
    storage(STORAGE_TOKEN, token || null);
    if (url) storage(STORAGE_URL, url);
    options.token = token || null;
    if (url) options.url = url;
    if (socket) socket.close(1000, "pairing again");
    socket = null;
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = options.backoffInitial;
    if (started) connect();
  }

  // The link `huotong-bridge pair` prints: …/pos/bridge/pair#bridge-token=…[&bridge-url=ws://127.0.0.1:PORT/].
  // The fragment never reaches the server; the token is stored in this browser and taken out of the
  // address bar. pairedFromLink says what happened, for the page to tell the cashier.
  var pairedFromLink = null; // null: no pairing in the link; else {paired, url, reason}

  function pairFromLocation() {
    var hash = window.location.hash;
    var token = /(?:^#|&)bridge-token=([^&]*)/.exec(hash);
    var address = /(?:^#|&)bridge-url=([^&]*)/.exec(hash);
    if (!token && !address) return;
    var rest = hash;
    [token, address].forEach(function (m) { if (m) rest = rest.replace(m[0], ""); });
    rest = rest.replace(/^#&?/, "");
    history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? "#" + rest : ""));
    var value = token ? decodeURIComponent(token[1]).trim() : "";
    var url = address ? decodeURIComponent(address[1]) : null;
    if (!value) pairedFromLink = { paired: false, reason: "no_token" };
    else if (url && !loopbackUrl(url)) pairedFromLink = { paired: false, reason: "bad_address" };
    else {
      storage(STORAGE_TOKEN, value);
      if (url) storage(STORAGE_URL, loopbackUrl(url));
      pairedFromLink = { paired: true, url: loopbackUrl(url) || currentUrl() };
    }
  }

  function currentUrl() {
    return options.url || attr("data-bridge-url") || storage(STORAGE_URL) || DEFAULT_URL;
  }

  window.HuotongBridge = {
    start: start,
    stop: stop,
    pair: pair,
    status: status,
    devices: function () {
      return Object.keys(devices).map(function (id) {
        return devices[id];
      });
    },
    send: send,
    sendScan: sendScan,
    url: currentUrl, // the bridge's address (without the token)
    paired: function () { return !!(options.token || attr("data-bridge-token") || storage(STORAGE_TOKEN)); },
    pairedFromLink: function () { return pairedFromLink; },
    loopbackUrl: loopbackUrl,
    print: function (receipt, device) {
      return send("print", { receipt: receipt }, device);
    },
    openDrawer: function (pin, device) {
      return send("drawer.open", pin ? { pin: pin } : {}, device);
    },
    readWeight: function (device) {
      return send("weight.read", {}, device);
    },
    listDevices: function () {
      return send("devices.list");
    },
  };

  if (attr("data-keyboard-wedge") === "off") options.keyboardWedge = false;
  document.addEventListener("keydown", onKeydown, true);
  document.addEventListener("htmx:afterSettle", render);
  pairFromLocation();
  if (attr("data-autostart") !== "false") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(); });
    else start();
  }
})();
