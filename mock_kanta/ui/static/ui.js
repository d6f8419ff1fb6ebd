// mock-kanta UI: small progressive enhancements only; every page works without this file.
"use strict";

// The header clock runs on when the sandbox clock runs (real or running mode); frozen stays still.
(function tickClock() {
  var el = document.getElementById("sandbox-clock");
  if (!el || el.dataset.mode === "frozen") return;
  var start = Date.parse(el.getAttribute("datetime"));
  if (isNaN(start)) return;
  var loaded = Date.now();
  var lang = el.dataset.lang || "fi";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function render() {
    var now = new Date(start + (Date.now() - loaded));
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {timeZone: "Europe/Helsinki", year: "numeric", month: "numeric", day: "numeric",
                                       hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
    var d = +parts.day, m = +parts.month, y = parts.year, hh = pad(+parts.hour), mm = pad(+parts.minute);
    el.textContent = lang === "en" ? y + "-" + pad(m) + "-" + pad(d) + " " + hh + ":" + mm
                                   : d + "." + m + "." + y + (lang === "fi" ? " klo " : " kl. ") + hh + "." + mm;
  }
  setInterval(render, 15000);
})();
