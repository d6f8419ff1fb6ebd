// mock-kanta UI, live parts: the live flow's server-sent events, findings that jump to their XML line,
// and sections that refresh themselves. Every page works without this file (links refresh instead).
"use strict";

// The live flow: each event is one message (JSON laid out by the server); new rows go on top.
(function liveFlow() {
  var body = document.getElementById("flow-rows");
  var template = document.getElementById("flow-row-template");
  if (!body || !template || !window.EventSource) return;
  var status = document.getElementById("flow-live");
  var announce = document.getElementById("flow-announce");
  var empty = document.getElementById("flow-empty");
  var max = parseInt(body.dataset.max, 10) || 200;
  var arrived = 0;
  var source = new EventSource(body.dataset.events);

  function fill(row, data) {
    row.dataset.seq = data.seq;
    row.dataset.verdict = data.verdict;
    row.dataset.channel = data.channel;
    row.className = "flow-row verdict-" + data.verdictClass + " new";
    row.querySelectorAll("[data-field]").forEach(function (el) {
      var value = data[el.dataset.field];
      el.textContent = value === undefined || value === null ? "" : String(value);
    });
    var link = row.querySelector("a[data-field=seq]");
    link.setAttribute("href", data.href);
    link.setAttribute("aria-label", data.openText);
    row.querySelector("time").setAttribute("datetime", data.atIso || "");
  }

  source.addEventListener("open", function () {
    if (status) status.textContent = status.dataset.on;
  });
  source.addEventListener("error", function () {
    if (status) status.textContent = status.dataset.lost;
  });
  source.addEventListener("message", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (body.querySelector('tr[data-seq="' + data.seq + '"]')) return;  // already listed
    var row = template.content.firstElementChild.cloneNode(true);
    fill(row, data);
    body.insertBefore(row, body.firstElementChild);
    while (body.children.length > max) body.removeChild(body.lastElementChild);
    if (empty) empty.hidden = true;
    arrived += 1;
    if (announce) announce.textContent = announce.dataset.text.replace("{n}", arrived);
    setTimeout(function () { row.classList.remove("new"); }, 4000);
  });
})();

// A finding's place: move the focus to the marked XML line and bring it to the middle of its pane.
(function findingPlaces() {
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.finding-place");
    if (!link) return;
    var line = document.getElementById(link.getAttribute("href").slice(1));
    if (!line) return;
    event.preventDefault();
    document.querySelectorAll(".xml-line.current").forEach(function (el) { el.classList.remove("current"); });
    line.classList.add("current");
    if (history.replaceState) history.replaceState(null, "", "#" + line.id);
    line.focus({preventScroll: true});
    line.scrollIntoView({block: "center"});
  });
})();

// Sections marked data-refresh-every="SECONDS" reload themselves from the page's own address,
// until the server sends the section without the mark (a run finished, a rehearsal closed).
(function refreshingSections() {
  var section = document.querySelector("[data-refresh-every]");
  if (!section || !section.id || !window.fetch || !window.DOMParser) return;
  function later(el) {
    var seconds = parseFloat(el.dataset.refreshEvery);
    if (seconds > 0) setTimeout(refresh, seconds * 1000);
  }
  function refresh() {
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(section.id);
        if (!fresh) return;
        var focusedId = document.activeElement && section.contains(document.activeElement) ? document.activeElement.id : null;
        var node = document.importNode(fresh, true);
        section.replaceWith(node);
        section = node;
        if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
        later(section);
      })
      .catch(function () { later(section); });
  }
  later(section);
})();
