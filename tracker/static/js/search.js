// Lookup box: turns any <form class="lookup"> holding <input name="q"> into a combobox (WAI-ARIA 1.2 pattern)
// with suggestions from /search/suggest, and adds "Use my location", which finds the county in the browser:
// the position is never sent anywhere, only the county outlines are downloaded.
// Without JavaScript the form is a plain GET search of /jurisdictions/.
(function () {
  "use strict";
  // Django's JavaScript catalog (/jsi18n/ or /es/jsi18n/, loaded before this script) translates; English without it.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%s/g, function () { return String(values.shift()); });
  };
  var script = document.currentScript;
  // Pages in Spanish live under /es/: suggestions (labels, links) and links written here keep the page's language.
  var PREFIX = document.documentElement.lang === "es" ? "/es" : "";
  var SUGGEST_URL = PREFIX + "/search/suggest";
  var SHAPES_URL = "/map/counties-wgs84.json";
  var counter = 0;
  var SAY_WHY = { alias: true, place: true, zip: true, period: true, today: true, later: true };

  // The dropdown's own stylesheet, next to this script (no inline style: the site's CSP forbids it).
  if (script && script.src && !document.querySelector("link[data-lookup-css]")) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    // Also from a hashed name (search.0123456789ab.js, collectstatic's manifest): the unhashed CSS is served too.
    css.href = script.src.replace(/js\/search(\.[0-9a-f]{12})?\.js(\?.*)?$/, "css/search.css");
    css.setAttribute("data-lookup-css", "");
    document.head.appendChild(css);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function enhance(form) {
    var input = form.querySelector('input[name="q"]');
    if (!input || form.hasAttribute("data-enhanced")) return;
    form.setAttribute("data-enhanced", "");
    var id = input.id || "lookup-" + ++counter;
    input.id = id;
    var suggestUrl = form.getAttribute("data-suggest") || SUGGEST_URL;

    var list = el("ul", { id: id + "-list", role: "listbox", "aria-label": gettext("Suggestions"), class: "lookup-list" });
    list.hidden = true;
    var status = el("p", { class: "lookup-status", role: "status", "aria-live": "polite" });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    input.insertAdjacentElement("afterend", list);
    form.appendChild(status);
    form.classList.add("lookup-enhanced");

    var options = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function open() {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function setActive(index) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
      var option = options[index];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
    function go(option) { window.location.href = option.getAttribute("data-url"); }

    // Why a suggestion is there, said under its name when it is not the name itself: a place in the county
    // ("Chicago, IL is a place in Cook County."), a ZIP code, another name, today's name of a unit.
    function why(row) {
      return row.matched && SAY_WHY[row.matched.by] ? row.matched.text : "";
    }

    function render(data, query) {
      list.textContent = "";
      options = [];
      var rows = (data.states || []).map(function (s) {
        return { url: s.url, label: s.label, detail: gettext("State") };
      }).concat((data.results || []).map(function (r) {
        return { url: r.url, label: r.label, detail: r.fips, why: why(r) };
      }));
      // Nothing found: the closest names, so a misspelt "chicgo" still leads somewhere.
      var closest = !rows.length && (data.did_you_mean || []).length;
      if (closest) {
        rows = data.did_you_mean.map(function (r) {
          return { url: r.url, label: r.label, detail: gettext("Did you mean?"), why: why(r) };
        });
      }
      rows.forEach(function (row, i) {
        var option = el("li", { id: id + "-opt-" + i, role: "option", "aria-selected": "false", "data-url": row.url });
        var main = el("span", { class: "lookup-main" });
        main.appendChild(el("span", { class: "lookup-label" }, row.label));
        if (row.why) main.appendChild(el("span", { class: "lookup-why" }, row.why));
        option.appendChild(main);
        option.appendChild(el("span", { class: "lookup-detail" }, row.detail));
        list.appendChild(option);
        options.push(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (options.length) {
        open();
        status.textContent = closest
          ? interpolate(ngettext("Nothing matches; %s close name: use the up and down arrows to choose.",
            "Nothing matches; %s close names: use the up and down arrows to choose.", options.length), [options.length])
          : interpolate(ngettext("%s suggestion: use the up and down arrows to choose.",
            "%s suggestions: use the up and down arrows to choose.", options.length), [options.length]);
      } else {
        close();
        status.textContent = query ? gettext("No suggestions; press Enter to search.") : "";
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      var mine = ++sequence;
      if (!query) { render({}, ""); return; }
      fetch(suggestUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [], states: [] }; })
        .then(function (data) { if (mine === sequence) render(data, query); })
        .catch(function () { /* The plain search still works. */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (list.hidden) { open(); if (!options.length) fetchSuggestions(); }
          if (options.length) setActive((active + 1) % options.length);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (list.hidden) open();
          if (options.length) setActive(active <= 0 ? options.length - 1 : active - 1);
          break;
        case "Enter":
          if (!list.hidden && active >= 0) { event.preventDefault(); go(options[active]); }
          break;
        case "Escape":
          if (!list.hidden) { event.preventDefault(); close(); } else if (input.value) { input.value = ""; render({}, ""); }
          break;
        case "Tab":
          close();
          break;
      }
    });
    // mousedown would move focus out of the input before the click lands.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) go(option);
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("focus", function () { if (options.length && input.value.trim()) open(); });

    addLocate(form);
  }

  // --- use my location -------------------------------------------------------------------------------------------
  var shapes = null;

  function loadShapes() {
    if (!shapes) {
      shapes = fetch(SHAPES_URL).then(function (response) {
        if (!response.ok) throw new Error("county outlines unavailable");
        return response.json();
      }).then(function (raw) {
        // Rings arrive delta-encoded in 1/10,000 degree; decode once and keep each county's bounding box.
        return Object.keys(raw).map(function (fips) {
          var rings = raw[fips][1].map(function (flat) {
            var out = new Float64Array(flat.length);
            var x = 0, y = 0;
            for (var i = 0; i < flat.length; i += 2) { x += flat[i]; y += flat[i + 1]; out[i] = x; out[i + 1] = y; }
            return out;
          });
          var box = [Infinity, Infinity, -Infinity, -Infinity];
          rings.forEach(function (r) {
            for (var i = 0; i < r.length; i += 2) {
              if (r[i] < box[0]) box[0] = r[i];
              if (r[i] > box[2]) box[2] = r[i];
              if (r[i + 1] < box[1]) box[1] = r[i + 1];
              if (r[i + 1] > box[3]) box[3] = r[i + 1];
            }
          });
          return { fips: fips, name: raw[fips][0], rings: rings, box: box };
        });
      });
      shapes.catch(function () { shapes = null; });
    }
    return shapes;
  }

  // Even-odd rule over every ring of the county, so holes (an independent city inside a county) are excluded.
  function contains(county, x, y) {
    var b = county.box;
    if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
    var inside = false;
    county.rings.forEach(function (r) {
      for (var i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
        var xi = r[i], yi = r[i + 1], xj = r[j], yj = r[j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
      }
    });
    return inside;
  }

  function findCounty(counties, lon, lat) {
    var x = lon * 10000, y = lat * 10000;
    for (var i = 0; i < counties.length; i++) if (contains(counties[i], x, y)) return counties[i];
    return null;
  }

  function addLocate(form) {
    if (!navigator.geolocation || !window.isSecureContext || !window.fetch) return;
    var box = el("div", { class: "lookup-locate" });
    var button = el("button", { type: "button", class: "locate", "aria-describedby": "" }, gettext("Use my location"));
    var note = el("span", { class: "lookup-privacy", id: (form.id || "lookup") + "-privacy-" + counter },
      gettext("Your location stays in this browser: we send you the county outlines and match them here."));
    button.setAttribute("aria-describedby", note.id);
    box.appendChild(button);
    box.appendChild(note);
    var status = el("p", { class: "lookup-result", role: "status" });
    box.appendChild(status);
    form.appendChild(box);

    button.addEventListener("click", function () {
      status.textContent = gettext("Finding your county…");
      button.disabled = true;
      var outlines = loadShapes();
      navigator.geolocation.getCurrentPosition(function (position) {
        outlines.then(function (counties) {
          var county = findCounty(counties, position.coords.longitude, position.coords.latitude);
          status.textContent = "";
          if (!county) {
            status.textContent = gettext("That position is not inside a US county on our map.");
            return;
          }
          status.appendChild(document.createTextNode(gettext("You are in ")));
          status.appendChild(el("a", { href: PREFIX + "/jurisdictions/" + county.fips + "/", class: "located" }, county.name));
          status.appendChild(document.createTextNode("."));
        }).catch(function () {
          status.textContent = gettext("The county outlines could not be loaded; search by name instead.");
        }).then(function () { button.disabled = false; });
      }, function (error) {
        button.disabled = false;
        status.textContent = error.code === 1
          ? gettext("Location permission was refused; search by name instead.")
          : gettext("Your location is not available; search by name instead.");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }

  function start() {
    var forms = document.querySelectorAll("form.lookup");
    for (var i = 0; i < forms.length; i++) enhance(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
