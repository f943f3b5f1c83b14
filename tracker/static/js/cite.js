// The Cite box of a page viewed at a release (?release=rN): the page's bytes never change, so it cannot hold
// today's date; write the reader's date (in the United States, as the site's "today") into the citations.
(function () {
  "use strict";
  var box = document.getElementById("cite-this");
  if (!box) return;
  var placeholder = box.getAttribute("data-accessed-placeholder");
  var now = new Date();
  var zone = { timeZone: "America/New_York" };
  var iso, long;
  try {
    var parts = new Intl.DateTimeFormat("en-CA", Object.assign({ year: "numeric", month: "2-digit", day: "2-digit" }, zone)).format(now);
    iso = parts;
    long = new Intl.DateTimeFormat(document.documentElement.lang || "en", Object.assign({ year: "numeric", month: "long", day: "numeric" }, zone)).format(now);
  } catch (error) {
    iso = now.toISOString().slice(0, 10);
    long = iso;
  }
  box.querySelectorAll("pre.cite-text").forEach(function (pre) {
    var text = pre.textContent;
    pre.textContent = text.split(placeholder).join(pre.getAttribute("data-cite") === "bibtex" ? iso : long);
  });
})();
