/* The till's device settings and the pairing page (templates/pos/bridge.html, bridge_pair.html):
 * pair this browser with the hardware bridge, show the devices live, test print, open the drawer.
 * Everything goes through bridge.js (window.HuotongBridge); the words come from #bridge-settings-words. */
(function () {
  "use strict";
  var bridge = window.HuotongBridge;
  if (!bridge) return;

  var words = {};
  try { words = JSON.parse(document.getElementById("bridge-settings-words").getAttribute("data-json")); } catch (e) { words = {}; }

  function say(key, facts) {
    var text = words[key] || key;
    Object.keys(facts || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(facts[name]); });
    return text;
  }

  function $(selector) { return document.querySelector(selector); }

  function tell(selector, text, state) {
    var el = $(selector);
    if (!el) return;
    el.textContent = text;
    if (state) el.setAttribute("data-state", state);
    else el.removeAttribute("data-state");
  }

  // --- the connection and what to do about it -------------------------------------------------------

  function explain() {
    var help = $("[data-bridge-help]");
    if (help) help.textContent = say(bridge.status().connection);
  }

  // --- the devices the bridge sees ------------------------------------------------------------------

  function listDevices() {
    var list = $("[data-device-list]");
    if (!list) return;
    var seen = bridge.status().connection === "connected" ? bridge.devices() : [];
    var rows = seen.map(function (d) {
      return [d.name || d.id, d.driver, d.status + (d.reason ? " (" + d.reason + ")" : "")].join(" · ");
    });
    if (rows.join("\n") === list.getAttribute("data-shown")) return;
    list.setAttribute("data-shown", rows.join("\n"));
    list.textContent = "";
    rows.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  // --- pairing --------------------------------------------------------------------------------------

  // What was pasted: a token, or the whole link `huotong-bridge pair` printed (…#bridge-token=…&bridge-url=…).
  function pasted(text) {
    text = (text || "").trim();
    var token = /[#&]bridge-token=([^&\s]*)/.exec(text);
    var address = /[#&]bridge-url=([^&\s]*)/.exec(text);
    return {
      token: token ? decodeURIComponent(token[1]) : (text.indexOf("#") === -1 && text.indexOf("/") === -1 ? text : ""),
      url: address ? decodeURIComponent(address[1]) : null,
    };
  }

  function pair(event) {
    event.preventDefault();
    var form = event.target;
    var given = pasted(form.elements.token.value);
    var url = given.url || form.elements.url.value.trim() || bridge.url();
    if (!given.token) return tell("[data-pair-result]", say("no_token"), "error");
    if (!bridge.loopbackUrl(url)) return tell("[data-pair-result]", say("bad_address"), "error");
    bridge.pair(given.token, url);
    form.elements.token.value = "";
    form.elements.url.value = bridge.url();
    tell("[data-pair-result]", say("paired", { url: bridge.url() }), "ok");
  }

  function unpair() {
    bridge.pair(null);
    tell("[data-pair-result]", say("forgotten"), "ok");
  }

  function fromLink() {
    var result = bridge.pairedFromLink();
    if (!result) return;
    if (result.paired) tell("[data-pair-result]", say("paired_link", { url: result.url }), "ok");
    else tell("[data-pair-result]", say(result.reason === "bad_address" ? "bad_address" : "no_token_link"), "error");
  }

  // --- trying the printer and the drawer ------------------------------------------------------------

  function connected() {
    if (bridge.status().connection === "connected") return true;
    tell("[data-test-result]", say("absent"), "error");
    return false;
  }

  function testPrint() {
    if (!connected()) return;
    var receipt = JSON.parse($("[data-test-receipt]").getAttribute("data-test-receipt"));
    tell("[data-test-result]", say("printing"));
    bridge.print(receipt).then(function (reply) {
      tell("[data-test-result]", say("printed", { number: reply.number || receipt.number }), "ok");
    }, function (error) {
      tell("[data-test-result]", say("print_failed", { reason: error.message }), "error");
    });
  }

  function openDrawer() {
    if (!connected()) return;
    bridge.openDrawer().then(function () {
      tell("[data-test-result]", say("drawer_opened"), "ok");
    }, function (error) {
      tell("[data-test-result]", say("drawer_failed", { reason: error.message }), "error");
    });
  }

  // --- wiring ---------------------------------------------------------------------------------------

  var form = $("[data-pair-form]");
  if (form) {
    form.elements.url.value = bridge.url();
    form.addEventListener("submit", pair);
  }
  var forget = $("[data-unpair]");
  if (forget) forget.addEventListener("click", unpair);
  var printButton = $("[data-test-print]");
  if (printButton) printButton.addEventListener("click", testPrint);
  var drawerButton = $("[data-open-drawer]");
  if (drawerButton) drawerButton.addEventListener("click", openDrawer);
  document.body.addEventListener("bridge:status", function () { explain(); listDevices(); });
  setInterval(listDevices, 2000); // a device's reason (paper low) changes without changing the summary
  fromLink();
  explain();
  listDevices();
})();
