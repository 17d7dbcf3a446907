/* The till in the browser: scans go where the cashier is, the scale feeds the weigh
 * panel, the pay panel adds up, the receipt prints through the bridge once. */
(function () {
  "use strict";

  function scanInput() { return document.getElementById("scan-code"); }

  // A scan lands in the field that asked for one (a payment code, a receipt number),
  // otherwise it adds an item to the sale.
  document.body.addEventListener("bridge:scan", function (event) {
    var code = event.detail.code;
    var focused = document.activeElement;
    if (focused && focused.hasAttribute("data-scan-target") && focused !== scanInput()) {
      focused.value = code;
      focused.dispatchEvent(new Event("input", { bubbles: true }));
      if (focused.hasAttribute("data-scan-submit")) focused.form.requestSubmit();
      return;
    }
    var target = scanInput();
    if (!target) return;
    var nextSale = target.form.getAttribute("data-next-sale"); // the receipt page: the scan starts the next sale
    if (nextSale !== null) {
      window.location.assign(target.form.action + "?scan=" + encodeURIComponent(code));
      return;
    }
    window.HuotongBridge.sendScan(function () { return scanInput() && scanInput().form; }, code);
  });

  // Arrived from the receipt page with a scan (?scan=…): it is the next sale's first item.
  function scanFromAddress() {
    var code = new URLSearchParams(window.location.search).get("scan");
    if (!code || !scanInput() || scanInput().form.hasAttribute("data-next-sale")) return;
    history.replaceState(null, "", window.location.pathname);
    window.HuotongBridge.sendScan(function () { return scanInput() && scanInput().form; }, code);
  }

  // Keep the scan field ready after every swap, unless the cashier is typing elsewhere;
  // after a scan or a tap in the search, show the newest line (the bottom of a long basket).
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var lines = document.querySelector("#sale .lines");
    if (lines && event.detail.requestConfig && event.detail.requestConfig.elt.closest(".till-side")) {
      lines.scrollTop = lines.scrollHeight;
    }
    var focused = document.activeElement;
    var typing = focused && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) && focused.offsetParent !== null;
    var paying = document.querySelector("#pay .pay-overlay");
    if (!typing && !paying && scanInput()) scanInput().focus();
    var code = document.querySelector("[data-payment-code]");
    if (paying && code && !typing) code.focus();
  });

  // A refusal beeps and flashes: the cashier may not be looking at the screen.
  document.body.addEventListener("refused", function () {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound: the toast still shows */ }
    document.body.classList.add("refused");
    setTimeout(function () { document.body.classList.remove("refused"); }, 400);
  });

  // --- weighing: only a steady reading can be added -----------------------------------------
  function weighPanel() { return document.querySelector("[data-weigh]"); }

  function showWeight(kg, stable) {
    var panel = weighPanel();
    if (!panel) return;
    panel.querySelector("[data-weigh-kg]").textContent = kg === null ? "—" : kg;
    panel.querySelector("[data-weigh-input]").value = kg === null ? "" : kg;
    panel.querySelector("[data-weigh-stable]").value = stable ? "true" : "false";
    panel.querySelector("[data-weigh-state]").textContent = stable ? panel.dataset.stableText || "✓" : "…";
    panel.querySelector("[data-weigh-add]").disabled = !(stable && kg !== null && parseFloat(kg) > 0);
  }

  document.body.addEventListener("bridge:weight", function (event) {
    showWeight(event.detail.kg, event.detail.stable);
  });

  // No scale connected: the weight may be typed (if the store allows it, the form is there).
  function showTypedWeight() {
    var typed = document.querySelector("[data-weigh-typed]");
    if (!typed) return;
    var scale = window.HuotongBridge ? window.HuotongBridge.status().scale : "absent";
    typed.hidden = scale === "ready";
  }
  document.body.addEventListener("bridge:status", showTypedWeight);
  document.body.addEventListener("htmx:afterSettle", showTypedWeight);

  document.body.addEventListener("click", function (event) {
    if (event.target.closest("[data-weigh-read]") && window.HuotongBridge) {
      window.HuotongBridge.readWeight().then(function (reply) {
        var data = (reply && reply.data) || {};
        showWeight(data.kg, data.stable);
      }, function () { showWeight(null, false); });
    }
    var cash = event.target.closest("[data-cash]");
    if (cash) {
      var field = cash.closest("[data-method]").querySelector("[data-amount]");
      field.value = cash.getAttribute("data-cash");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // --- paying: what is still due and the change, in fen (no floating-point money) ----------
  var fen = window.HuotongMoney.fen, money = window.HuotongMoney.format;

  document.body.addEventListener("input", function (event) {
    var panel = event.target.closest("form[data-total]");
    if (!panel || !panel.querySelector("[data-due]")) return;
    var total = fen(panel.dataset.total), cash = 0, other = 0;
    panel.querySelectorAll("[data-method]").forEach(function (tender) {
      var amount = fen(tender.querySelector("[data-amount]").value);
      if (tender.dataset.method === "cash") cash += amount; else other += amount;
    });
    var due = Math.max(0, total - other - cash);
    var change = Math.max(0, cash - Math.max(0, total - other));
    panel.querySelector("[data-due]").textContent = money(due);
    panel.querySelector("[data-change]").textContent = money(change);
  });

  // "Back" (or "Done") on the pay panel and the pickup panel: close it, the sale stays as it is.
  document.body.addEventListener("click", function (event) {
    if (!event.target.closest("[data-close-pay]")) return;
    var pay = document.getElementById("pay");
    if (pay) pay.innerHTML = "";
    if (scanInput()) scanInput().focus(); // the next scan goes into the sale
  });

  // A code typed and sent with the Add button: the scan field is emptied once the server has answered it
  // (a refusal too: its toast names the code; htmx counts the swapped 422/409 as answered); a request
  // that never reached the server keeps it. A scan (Enter, or the bridge) emptied the field already and
  // went through the scan queue: the field may hold the next code being typed, so it is left alone.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    var typedAndSent = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (typedAndSent && event.detail.successful && form.matches && form.matches("form[data-reset-on-success]")) {
      form.reset();
    }
  });

  // --- closing a shift: the cash counted, note by note (notes × count, in fen) ---------------
  function countCash(form) {
    var counted = 0;
    form.querySelectorAll("[data-denomination]").forEach(function (input) {
      var pieces = /^\s*\d+\s*$/.test(input.value) ? parseInt(input.value, 10) : 0;
      counted += fen(input.dataset.denomination) * pieces;
    });
    form.querySelector("[data-counted]").textContent = money(counted);
  }

  document.body.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-cash-count]");
    if (form) countCash(form);
  });

  // --- the receipt: printed once when the sale completes; reprint on request -------------------
  function printReceipt(page, openDrawer) {
    var state = page.querySelector("[data-print-state]");
    var documentJson = page.querySelector("[data-receipt-document]").getAttribute("data-receipt-document");
    if (!window.HuotongBridge) return;
    if (openDrawer) window.HuotongBridge.openDrawer().catch(function () { /* no drawer: the cashier opens it */ });
    window.HuotongBridge.print(JSON.parse(documentJson)).then(function () {
      state.textContent = "🖨 ✓";
    }, function (error) {
      // The sale is done either way: say so, and offer the reprint button.
      state.textContent = "🖨 ✗ " + (state.dataset.failed || "") + " " + ((error && (error.message || error.code)) || "");
    });
  }

  function onLoad() {
    document.querySelectorAll("form[data-cash-count]").forEach(countCash); // a form shown again after a refusal
    onReceiptPage();
    scanFromAddress();
  }

  function onReceiptPage() {
    var page = document.querySelector("[data-receipt]");
    if (!page) return;
    if (page.dataset.printNow === "true") {
      printReceipt(page, page.dataset.openDrawer === "true");
      history.replaceState(null, "", window.location.pathname); // a reload does not print again
    }
    page.querySelector("[data-reprint]").addEventListener("click", function () { printReceipt(page, false); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();
})();
