// Home page map: recolour for any date without asking the server, tooltip, slider with play, event links.
// Data: each county path carries its activation date (data-a); successors (data-s) are drawn but not counted;
// #map-data holds counted units without a shape, state names and key events. Same rules as tracker/map.py.
(function () {
  "use strict";
  var figure = document.getElementById("county-map");
  var dataNode = document.getElementById("map-data");
  if (!figure || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var DAY_MS = 86400000;
  // Django's JavaScript catalog (/jsi18n/ or /es/jsi18n/, loaded first) translates; English without it.
  var gettext = window.gettext || function (text) { return text; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (m, name) { return String(values[name]); });
  };
  // Pages in Spanish live under /es/ (the links this script writes keep the page's language).
  var PREFIX = document.documentElement.lang === "es" ? "/es" : "";
  var MONTHS = [pgettext("month", "January"), pgettext("month", "February"), pgettext("month", "March"),
    pgettext("month", "April"), pgettext("month", "May"), pgettext("month", "June"), pgettext("month", "July"),
    pgettext("month", "August"), pgettext("month", "September"), pgettext("month", "October"),
    pgettext("month", "November"), pgettext("month", "December")];
  var NEVER = Infinity;

  function dayNumber(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }
  function isoDay(n) { return new Date(n * DAY_MS).toISOString().slice(0, 10); }
  function longDay(n) {
    var d = new Date(n * DAY_MS);
    // "5 August 2011" / "5 de agosto de 2011".
    return interpolate(gettext("%(day)s %(month)s %(year)s"),
      { day: d.getUTCDate(), month: MONTHS[d.getUTCMonth()], year: d.getUTCFullYear() }, true);
  }
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function byDate(a, b) { return a.a - b.a; }

  // Drawn paths and counted units, each sorted by activation day; an index into each marks "activated so far".
  // A unit whose history is more than one activation (scheduled first, deactivated) carries its dated statuses
  // (data-t, from the server's as-of rule) and is drawn from them on every day instead.
  var drawn = [];
  var stepped = [];
  var counted = [];
  var paths = figure.querySelectorAll("path[data-fips]");
  for (var i = 0; i < paths.length; i++) {
    var p = paths[i];
    var a = p.getAttribute("data-a");
    var item = { el: p, a: a ? dayNumber(a) : NEVER, iso: a };
    var steps = p.getAttribute("data-t");
    if (steps) {
      stepped.push({ el: p, steps: steps.split(";").map(function (step) {
        return { day: dayNumber(step.slice(0, 10)), cls: step.slice(11) };
      }) });
    } else {
      drawn.push(item);
    }
    if (!p.hasAttribute("data-s")) counted.push({ a: item.a, st: p.getAttribute("data-fips").slice(0, 2) });
  }
  Object.keys(data.unmapped).forEach(function (fips) {
    var a = data.unmapped[fips];
    counted.push({ a: a ? dayNumber(a) : NEVER, st: fips.slice(0, 2) });
  });
  drawn.sort(byDate);
  counted.sort(byDate);

  var current = dayNumber(data.day);
  var today = dayNumber(data.today);
  var first = drawn.length && drawn[0].a !== NEVER ? drawn[0].a : current;
  var lastActivation = first;
  drawn.forEach(function (d) { if (d.a !== NEVER && d.a > lastActivation) lastActivation = d.a; });

  // The rollout view (no ?as_of=): the figure has class "story" and paths a half-year class ("q0".."q9") beside
  // their status on the page's day; choosing a date drops "story" and recolours incrementally as ever.
  var story = !!document.getElementById("period-legend");
  var drawnIndex = 0;
  while (drawnIndex < drawn.length && drawn[drawnIndex].a <= current) drawnIndex++;
  var countedIndex = 0;
  var perState = {};
  var statesActive = 0;
  while (countedIndex < counted.length && counted[countedIndex].a <= current) {
    var st = counted[countedIndex].st;
    perState[st] = (perState[st] || 0) + 1;
    if (perState[st] === 1) statesActive++;
    countedIndex++;
  }

  var headline = document.getElementById("headline");
  // The program's nationwide state on the day shown (tracker's as-of rule: the latest program event on or before
  // it), said above the map as the server says it on every page.
  var programNote = document.getElementById("program-status");
  var eras = (data.eras || []).map(function (era) { return { day: dayNumber(era.date), label: era.label, iso: era.date }; });
  function showProgram(day) {
    if (!programNote) return;
    var found = null;
    eras.forEach(function (era) { if (era.day <= day) found = era; });
    programNote.hidden = !found;
    if (!found) return;
    programNote.querySelector("strong").textContent = interpolate(gettext("On %(day)s:"), { day: longDay(day) }, true);
    programNote.querySelector(".program-label").textContent = interpolate(gettext("%(label)s (since %(day)s)."),
      { label: found.label, day: longDay(found.day) }, true);
  }
  var dateInput = document.getElementById("as-of");
  var slider = document.getElementById("day-slider");
  var sliderBox = slider && slider.parentNode;
  var playButton = sliderBox && sliderBox.querySelector(".play");
  var nowLine = document.getElementById("rollout-now");
  var chart = document.getElementById("rollout-chart");
  var tableLink = document.getElementById("table-link");
  var stateTable = document.getElementById("state-table");
  var captionTime = figure.querySelector(".cap time");
  var svgTitle = figure.querySelector("svg > title");
  var rows = {};
  if (stateTable) {
    var trs = stateTable.querySelectorAll("tr[data-st]");
    for (var r = 0; r < trs.length; r++) rows[trs[r].getAttribute("data-st")] = trs[r];
  }

  // One attribute write per county whose status changed; the accessible names hold the activation date and do
  // not depend on the date shown, so they never need rewriting.
  function mark(item, on) {
    item.el.setAttribute("class", on ? "a" : "n");
  }

  function moveCounted(day, changedStates) {
    var c, s;
    while (countedIndex < counted.length && counted[countedIndex].a <= day) {
      c = counted[countedIndex++];
      s = perState[c.st] = (perState[c.st] || 0) + 1;
      if (s === 1) statesActive++;
      changedStates[c.st] = true;
    }
    while (countedIndex > 0 && counted[countedIndex - 1].a > day) {
      c = counted[--countedIndex];
      s = perState[c.st] -= 1;
      if (s === 0) statesActive--;
      changedStates[c.st] = true;
    }
  }

  var urlTimer = null;
  var lastRecolourMs = 0;

  function toggle(selector, show) {
    var el = figure.querySelector(selector);
    if (el) el.hidden = !show;
  }
  // Leave the rollout view for the status on a date: the figure's class, the legend and the caption.
  function leaveStory() {
    story = false;
    figure.classList.remove("story");
    toggle("#period-legend", false);
    toggle(".period-cap", false);
    toggle("#status-legend", true);
    toggle(".day-cap", true);
    var links = document.querySelectorAll("#view-switch a[data-view]");
    for (var v = 0; v < links.length; v++) {
      if (links[v].getAttribute("data-view") === "as-of") links[v].setAttribute("aria-current", "true");
      else links[v].removeAttribute("aria-current");
    }
  }

  // Recolour only the paths whose status changed between the current day and `day`.
  function setDay(day, options) {
    options = options || {};
    day = Math.max(dayNumber("2008-01-01"), Math.min(today, day));
    var started = performance.now();
    if (story) leaveStory();
    while (drawnIndex < drawn.length && drawn[drawnIndex].a <= day) mark(drawn[drawnIndex++], true);
    while (drawnIndex > 0 && drawn[drawnIndex - 1].a > day) mark(drawn[--drawnIndex], false);
    stepped.forEach(function (unit) {
      var cls = "n";
      unit.steps.forEach(function (step) { if (step.day <= day) cls = step.cls; });
      unit.el.setAttribute("class", cls);
    });
    var changedStates = {};
    moveCounted(day, changedStates);
    current = day;
    var iso = isoDay(day);
    var text = longDay(day);
    showProgram(day);
    headline.textContent = interpolate(ngettext(
      "%(activated)s of %(total)s jurisdictions in %(states)s state activated on %(day)s",
      "%(activated)s of %(total)s jurisdictions in %(states)s states activated on %(day)s", statesActive),
      { activated: thousands(countedIndex), total: thousands(counted.length), states: statesActive, day: text }, true);
    Object.keys(changedStates).forEach(function (st) {
      if (rows[st]) rows[st].cells[1].textContent = perState[st] || 0;
    });
    lastRecolourMs = performance.now() - started;
    figure.setAttribute("data-recolour-ms", lastRecolourMs.toFixed(2));
    if (!options.fromSlider && slider) slider.value = Math.max(0, day - first);
    if (slider) slider.setAttribute("aria-valuetext", text);
    if (!options.fromInput && dateInput) dateInput.value = iso;
    if (captionTime) { captionTime.textContent = text; captionTime.setAttribute("datetime", iso); }
    if (svgTitle) {
      svgTitle.textContent = interpolate(gettext("%(title)s, status on %(day)s"),
        { title: svgTitle.getAttribute("data-title"), day: text }, true);
    }
    if (nowLine && chart) {
      var start = dayNumber(chart.getAttribute("data-start"));
      var end = dayNumber(chart.getAttribute("data-end"));
      var left = +chart.getAttribute("data-left");
      var right = +chart.getAttribute("data-right");
      var x = left + (right - left) * (Math.min(end, Math.max(start, day)) - start) / (end - start);
      nowLine.setAttribute("x1", x.toFixed(1));
      nowLine.setAttribute("x2", x.toFixed(1));
    }
    clearTimeout(urlTimer);
    urlTimer = setTimeout(function () { syncLinks(iso); }, 250);
  }

  // Links and the address bar follow the date once it settles (not on every frame of a drag or play).
  function syncLinks(iso) {
    if (tableLink) {
      tableLink.href = tableLink.pathname + "?as_of=" + iso;
      tableLink.textContent = interpolate(gettext("every jurisdiction with its status on %(day)s"),
        { day: longDay(dayNumber(iso)) }, true);
    }
    var caption = stateTable && stateTable.querySelector(".day-text");
    if (caption) caption.textContent = longDay(dayNumber(iso));
    Object.keys(rows).forEach(function (st) {
      var a = rows[st].querySelector("a");
      if (a) a.href = a.pathname + "?as_of=" + iso;
    });
    // The language switch keeps the date shown, as it keeps the query of any page.
    var languageSwitch = document.getElementById("language-switch");
    if (languageSwitch) languageSwitch.href = languageSwitch.pathname + "?as_of=" + iso;
    if (window.history && history.replaceState) history.replaceState(null, "", "?as_of=" + iso);
  }

  // --- date controls -------------------------------------------------------------------------------------------
  if (slider && sliderBox) {
    slider.min = 0;
    // The slider spans every day the date field takes (the first activation to today), so the date field, the
    // slider's position and its aria-valuetext always name the same day.
    slider.max = today - first;
    slider.value = Math.max(0, current - first);
    sliderBox.hidden = false;
    slider.setAttribute("aria-valuetext", longDay(current));
    var pending = null;
    slider.addEventListener("input", function () {
      var day = first + +slider.value;
      slider.setAttribute("aria-valuetext", longDay(day));
      if (dateInput) dateInput.value = isoDay(day);
      if (pending === null) {
        pending = requestAnimationFrame(function () {
          pending = null;
          setDay(first + +slider.value, { fromSlider: true });
        });
      }
    });
  }

  if (dateInput) {
    dateInput.addEventListener("change", function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value)) setDay(dayNumber(dateInput.value), { fromInput: true });
    });
    dateInput.form.addEventListener("submit", function (event) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value)) return;
      event.preventDefault();
      setDay(dayNumber(dateInput.value));
    });
  }

  var playTimer = null;
  function stop() {
    clearInterval(playTimer);
    playTimer = null;
    playButton.textContent = gettext("Play");
    playButton.setAttribute("aria-pressed", "false");
    headline.setAttribute("aria-live", "polite");
  }
  if (playButton) {
    playButton.addEventListener("click", function () {
      if (playTimer) { stop(); return; }
      if (current >= lastActivation) setDay(first);
      playButton.textContent = gettext("Pause");
      playButton.setAttribute("aria-pressed", "true");
      // A screen reader would otherwise read out every frame.
      headline.setAttribute("aria-live", "off");
      playTimer = setInterval(function () {
        var next = Math.min(lastActivation, current + 7);
        setDay(next);
        if (next >= lastActivation) stop();
      }, 60);
    });
  }

  // Key-event links set the date in place (they are plain ?as_of= links without JavaScript).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-date]");
    if (!link) return;
    event.preventDefault();
    if (playTimer) stop();
    setDay(dayNumber(link.getAttribute("data-date")));
    headline.scrollIntoView({ block: "nearest" });
  });

  // --- phones ------------------------------------------------------------------------------------------------------
  // At phone width a county is a pixel or two across: a tap on the national map opens the state's page, whose
  // map and table reach the county with a second tap. Without JavaScript the tap still opens the county.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 600px)") : { matches: false };
  figure.addEventListener("click", function (event) {
    var county = event.target.closest && event.target.closest("a[href]");
    if (county) keepDay(county);
    if (!narrow.matches) return;
    var path = event.target.closest && event.target.closest("path[data-fips]");
    var postal = path && data.postal && data.postal[path.getAttribute("data-fips").slice(0, 2)];
    if (!postal) return;
    event.preventDefault();
    window.location.href = PREFIX + "/states/" + postal + "/" + (story ? "" : "?as_of=" + isoDay(current));
  });

  // --- tooltip and hover outline ---------------------------------------------------------------------------------
  var svg = figure.querySelector("svg");
  var tip = document.createElement("div");
  tip.className = "tip";
  tip.id = "county-map-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  figure.appendChild(tip);
  var outline = document.createElementNS("http://www.w3.org/2000/svg", "path");
  outline.setAttribute("class", "hl");
  outline.setAttribute("aria-hidden", "true");
  svg.appendChild(outline);

  // The status drawn (the server's, or this script's after a date change), in the legend's words.
  function statusOn(path) {
    var drawnClass = (path.getAttribute("class") || "").split(" ")[0];
    var status = drawnClass === "a" ? pgettext("status", "activated")
      : drawnClass === "s" ? pgettext("status", "scheduled") : pgettext("status", "not activated");
    return interpolate(gettext("(status on %(day)s: %(status)s)"), { day: longDay(current), status: status }, true);
  }

  // A county link keeps the day shown (a dated view), for a click, Enter, a middle click or a copied address.
  function keepDay(link) {
    var href = link.getAttribute("href").split("?")[0];
    link.setAttribute("href", story ? href : href + "?as_of=" + isoDay(current));
  }

  function show(link, x, y) {
    var path = link.querySelector("path");
    outline.setAttribute("d", path.getAttribute("d"));
    keepDay(link);
    // "Harris County, Texas — activated 27 October 2008 (status on 5 August 2011: activated)".
    tip.textContent = link.getAttribute("aria-label") + " " + statusOn(path);
    tip.hidden = false;
    var box = figure.getBoundingClientRect();
    if (x === undefined) {
      var r = path.getBoundingClientRect();
      x = r.left + r.width / 2;
      y = r.bottom;
    }
    var left = Math.min(Math.max(0, x - box.left + 12), Math.max(0, box.width - tip.offsetWidth));
    tip.style.left = left + "px";
    tip.style.top = (y - box.top + 12) + "px";
  }
  function hide() { tip.hidden = true; outline.removeAttribute("d"); }

  svg.addEventListener("mousemove", function (event) {
    var link = event.target.closest("a");
    if (link) show(link, event.clientX, event.clientY); else hide();
  });
  svg.addEventListener("mouseleave", hide);
  svg.addEventListener("focusin", function (event) {
    var link = event.target.closest("a");
    if (link) show(link);
  });
  svg.addEventListener("focusout", hide);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });

  // For bench/map_budget.py: how long the last recolour took, and a hook to time one.
  window.scommMap = {
    setDay: function (iso) { setDay(dayNumber(iso)); return lastRecolourMs; },
    lastRecolourMs: function () { return lastRecolourMs; },
  };
})();
