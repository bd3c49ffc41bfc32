// hagen graph: layout report. Embedded verbatim in the HTML that
// `hagen graph --format html` writes. Once the page has loaded it measures,
// in page coordinates (CSS pixels from the document's top-left corner), every
// AZ lane, subnet-tier band and resource box and both ends of every flow
// arrow, and writes them as JSON into the pre element whose id is
// hagen-layout-report (made, hidden, when the page has none). The browser
// test reads that JSON to check that nothing overlaps and that every arrow
// touches its resources; "page" is the window size that shows the whole
// drawing, for screenshots.
(function () {
  "use strict";

  // The distance (user units) between the points reported along an arrow.
  var STEP = 4;

  function round(v) {
    return Math.round(v * 100) / 100;
  }

  // The page-coordinate point of user-space point (x, y) of element el.
  function toPage(el, x, y) {
    var m = el.getScreenCTM();
    return {
      x: round(m.a * x + m.c * y + m.e + window.scrollX),
      y: round(m.b * x + m.d * y + m.f + window.scrollY)
    };
  }

  // The page-coordinate box of an SVG shape: its geometry (getBBox, no
  // stroke) with the four corners mapped through its transforms.
  function box(el) {
    var b = el.getBBox();
    var corners = [
      toPage(el, b.x, b.y),
      toPage(el, b.x + b.width, b.y),
      toPage(el, b.x, b.y + b.height),
      toPage(el, b.x + b.width, b.y + b.height)
    ];
    var xs = corners.map(function (p) { return p.x; });
    var ys = corners.map(function (p) { return p.y; });
    var x = Math.min.apply(null, xs);
    var y = Math.min.apply(null, ys);
    return {
      x: x,
      y: y,
      width: round(Math.max.apply(null, xs) - x),
      height: round(Math.max.apply(null, ys) - y)
    };
  }

  // One entry per element matching selector: the data attributes named in
  // attrs (camelCase, as in dataset) plus the box of its own <rect> (a
  // child, not one of a nested group's).
  function measure(selector, attrs) {
    var out = [];
    document.querySelectorAll(selector).forEach(function (g) {
      var entry = {};
      attrs.forEach(function (a) {
        if (g.dataset[a] !== undefined) entry[a] = g.dataset[a];
      });
      var rect = g.querySelector(":scope > rect");
      entry.box = rect ? box(rect) : null;
      out.push(entry);
    });
    return out;
  }

  function flows() {
    var out = [];
    document.querySelectorAll("g.flow").forEach(function (g) {
      var entry = { from: g.dataset.from, to: g.dataset.to, kind: g.dataset.kind };
      var path = g.querySelector("path");
      if (path) {
        var total = path.getTotalLength();
        var a = path.getPointAtLength(0);
        var b = path.getPointAtLength(total);
        entry.start = toPage(path, a.x, a.y);
        entry.end = toPage(path, b.x, b.y);
        // Points every few pixels along the way, to see what it crosses.
        entry.via = [];
        for (var at = STEP; at < total; at += STEP) {
          var p = path.getPointAtLength(at);
          entry.via.push(toPage(path, p.x, p.y));
        }
      } else {
        entry.start = null;
        entry.end = null;
        entry.via = [];
      }
      out.push(entry);
    });
    return out;
  }

  // The window size a screenshot needs to show every drawing whole: the
  // document's own size, plus whatever the drawings' scrolling containers
  // hide (they grow with the window).
  function page() {
    var root = document.documentElement;
    var extraW = 0, extraH = 0;
    document.querySelectorAll("svg").forEach(function (svg) {
      if (svg.parentElement && svg.parentElement.closest("svg")) return;
      for (var el = svg.parentElement; el && el !== document.body; el = el.parentElement) {
        var style = getComputedStyle(el);
        if (style.overflowX !== "visible") extraW = Math.max(extraW, el.scrollWidth - el.clientWidth);
        if (style.overflowY !== "visible") extraH = Math.max(extraH, el.scrollHeight - el.clientHeight);
      }
    });
    return {
      width: Math.ceil(root.scrollWidth + extraW),
      height: Math.ceil(root.scrollHeight + extraH)
    };
  }

  function report() {
    var result = {
      page: page(),
      lanes: measure("g.lane", ["lane"]),
      bands: measure("g.band", ["lane", "band"]),
      resources: measure("g.resource", ["id", "type", "lane", "band", "members"]),
      flows: flows()
    };
    var pre = document.getElementById("hagen-layout-report");
    if (!pre) {
      pre = document.createElement("pre");
      pre.id = "hagen-layout-report";
      pre.hidden = true;
      document.body.appendChild(pre);
    }
    pre.textContent = JSON.stringify(result);
  }

  if (document.readyState === "complete") {
    report();
  } else {
    window.addEventListener("load", report);
  }
})();
