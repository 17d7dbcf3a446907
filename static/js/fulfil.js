/* The fulfilment queue: a new online order chimes and flashes, and the tab title shows how many wait. */
(function () {
  "use strict";
  var known = null; // the newest order id this page has shown

  function chime() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (hz, i) {
        var tone = audio.createOscillator();
        tone.frequency.value = hz;
        tone.connect(audio.destination);
        tone.start(audio.currentTime + i * 0.18);
        tone.stop(audio.currentTime + i * 0.18 + 0.15);
      });
    } catch (e) { /* no sound (not allowed before a first tap): the flash still shows */ }
  }

  function markFresh() {
    var queue = document.getElementById("queue");
    if (!queue) return;
    var newest = parseInt(queue.getAttribute("data-newest") || "0", 10);
    if (known !== null && newest > known) {
      queue.querySelectorAll("[data-order-id]").forEach(function (card) {
        if (parseInt(card.getAttribute("data-order-id"), 10) > known) card.classList.add("fresh");
      });
    }
    known = newest;
  }

  function showCount() {
    var signal = document.getElementById("queue-signal");
    if (!signal) return;
    var waiting = parseInt(signal.getAttribute("data-waiting") || "0", 10);
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (waiting > 0) document.title = "(" + waiting + ") " + document.title;
  }

  document.body.addEventListener("new-online-order", function () {
    chime();
    document.body.classList.add("new-order");
    setTimeout(function () { document.body.classList.remove("new-order"); }, 3000);
  });
  document.body.addEventListener("htmx:afterSettle", function () { markFresh(); showCount(); });
  // Taking an item off an order gives money back: ask first.
  document.body.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  function start() { markFresh(); showCount(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
