// The map page: a Web Mercator map drawn in SVG, clustered event points and a
// timeline brush, from the JSON in #kg-data.
//
// Everything from the data reaches the DOM through textContent or setAttribute
// with fixed attribute names; links only when http(s).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var events = data.events, map = document.getElementById("kg-map");
  var range = null;  // [fromDay, toDay] or null for every event
  var view = {x: 0, y: 0, w: 256, h: 256};
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function project(lat, lon) {
    var s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
    var y = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    return [(lon + 180) / 360 * 256, y * 256];
  }
  function day(date) { return date ? Date.parse(date.slice(0, 10)) / 864e5 : null; }
  events.forEach(function (e) {
    var p = project(e.lat, e.lon); e.x = p[0]; e.y = p[1]; e.day = day(e.date);
  });

  var tiles = el("g", {id: "kg-tiles"}, map);
  var base = el("g", {id: "kg-base"}, map);
  var points = el("g", {id: "kg-points"}, map);
  function drawBase() {
    var d = data.land.map(function (c) {
      var p = project(c[0], c[1]);
      return "M" + p[0].toFixed(2) + " " + p[1].toFixed(2) + "h0";
    }).join("");
    el("path", {d: d, stroke: "#c9c2b0", "stroke-width": 3, fill: "none",
                "stroke-linecap": "round", "vector-effect": "non-scaling-stroke"},
       base);
    var grid = "";
    for (var lon = -180; lon <= 180; lon += 30) {
      var a = project(85, lon), b = project(-85, lon);
      grid += "M" + a[0] + " " + a[1] + "V" + b[1];
    }
    for (var lat = -60; lat <= 60; lat += 30) {
      var c = project(lat, -180);
      grid += "M0 " + c[1] + "H256";
    }
    el("path", {d: grid, stroke: "#b8c7d3", "stroke-width": 1, fill: "none",
                "vector-effect": "non-scaling-stroke"}, base);
  }
  function scale() { return view.w / Math.max(map.clientWidth, 1); }
  function shownEvents() {
    return events.filter(function (e) {
      return !range || (e.day !== null && e.day >= range[0] && e.day <= range[1]);
    });
  }
  function cluster(list) {
    var cell = 28 * scale(), groups = {};
    list.forEach(function (e) {
      var key = Math.floor(e.x / cell) + ":" + Math.floor(e.y / cell);
      (groups[key] = groups[key] || []).push(e);
    });
    return Object.keys(groups).sort().map(function (k) { return groups[k]; });
  }
  function dominant(group) {
    var counts = {}, best = group[0];
    group.forEach(function (e) {
      counts[e.root] = (counts[e.root] || 0) + 1;
      if (counts[e.root] > counts[best.root] ||
          (counts[e.root] === counts[best.root] && e.root < best.root)) { best = e; }
    });
    return best.colour;
  }
  function drawPoints() {
    points.replaceChildren();
    var list = shownEvents(), groups = cluster(list), s = scale();
    groups.forEach(function (group) {
      var x = 0, y = 0;
      group.forEach(function (e) { x += e.x; y += e.y; });
      x /= group.length; y /= group.length;
      var r = (4 + 2.5 * Math.sqrt(group.length)) * s;
      var c = el("circle", {cx: x, cy: y, r: r, fill: dominant(group),
                            "class": "kg-point", "data-count": group.length}, points);
      c.style.strokeWidth = 0.8 * s;
      c.addEventListener("mouseenter", function () { details(group); });
      c.addEventListener("click", function () { details(group); });
      if (group.length > 1) {
        var t = el("text", {x: x, y: y, "class": "kg-count"}, points);
        t.style.fontSize = (10 * s) + "px";
        t.textContent = String(group.length);
      }
    });
    map.setAttribute("data-shown", list.length);
    map.setAttribute("data-clusters", groups.length);
    document.getElementById("kg-shown").textContent =
      list.length + " of " + events.length + " mapped events shown";
  }
  function line(parent, tag, text) {
    var e = document.createElement(tag); e.textContent = text; parent.appendChild(e);
    return e;
  }
  function details(group) {
    var body = document.getElementById("kg-details-body");
    body.replaceChildren();
    group.slice(0, 10).forEach(function (e) {
      var box = line(body, "div", ""); box.className = "kg-event";
      line(box, "b", e.type);
      var when = e.date ? e.date + (e.articleDate ? " (article)" : "") : "undated";
      line(box, "div", [when, e.place].join(" \u00b7 "));
      var dyad = e.source + (e.target ? " \u2192 " + e.target : "");
      if (e.source) { line(box, "div", dyad); }
      if (e.sentence) { line(box, "i", e.sentence); }
      var art = line(box, "div", "Article: ");
      if (e.url && /^https?:\/\//i.test(e.url)) {
        var a = line(art, "a", e.title);
        a.setAttribute("href", e.url); a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
      } else { line(art, "span", e.title); }
    });
    if (group.length > 10) { line(body, "p", "and " + (group.length - 10) + " more"); }
  }
  function drawTiles() {
    if (!data.config.tiles) { return; }
    tiles.replaceChildren();
    var z = Math.max(0, Math.min(18, Math.round(Math.log2(1 / scale())))), n = 1 << z;
    var size = 256 / n;
    var x0 = Math.max(0, Math.floor(view.x / size));
    var x1 = Math.min(n - 1, Math.floor((view.x + view.w) / size));
    var y0 = Math.max(0, Math.floor(view.y / size));
    var y1 = Math.min(n - 1, Math.floor((view.y + view.h) / size));
    for (var tx = x0; tx <= x1; tx++) {
      for (var ty = y0; ty <= y1; ty++) {
        var url = data.config.tiles.replace("{z}", z).replace("{x}", tx)
          .replace("{y}", ty);
        el("image", {href: url, x: tx * size, y: ty * size, width: size,
                     height: size}, tiles);
      }
    }
  }
  function fit() {
    if (!events.length) { return; }
    var xs = events.map(function (e) { return e.x; });
    var ys = events.map(function (e) { return e.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var aspect = map.clientHeight / Math.max(map.clientWidth, 1);
    var w = Math.min(256, Math.max(24, (x1 - x0) * 1.5, (y1 - y0) * 1.5 / aspect));
    view = {x: (x0 + x1) / 2 - w / 2, y: (y0 + y1) / 2 - w * aspect / 2, w: w,
            h: w * aspect};
  }
  function setView() {
    view.h = view.w * map.clientHeight / Math.max(map.clientWidth, 1);
    map.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
    drawTiles(); drawPoints();
  }
  map.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var box = map.getBoundingClientRect(), f = ev.deltaY > 0 ? 1.25 : 0.8;
    var mx = view.x + (ev.clientX - box.left) * scale();
    var my = view.y + (ev.clientY - box.top) * scale();
    var w = Math.max(0.5, Math.min(512, view.w * f));
    view.x = mx - (mx - view.x) * w / view.w; view.y = my - (my - view.y) * w / view.h;
    view.w = w; view.h = w; setView();
  }, {passive: false});
  var drag = null;
  map.addEventListener("mousedown", function (ev) { drag = [ev.clientX, ev.clientY]; });
  window.addEventListener("mouseup", function () { drag = null; });
  map.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    view.x -= (ev.clientX - drag[0]) * scale();
    view.y -= (ev.clientY - drag[1]) * scale();
    drag = [ev.clientX, ev.clientY]; setView();
  });

  function legend() {
    var roots = {}, list = document.getElementById("kg-legend-list");
    events.forEach(function (e) {
      roots[e.rootName] = roots[e.rootName] || {colour: e.colour, n: 0};
      roots[e.rootName].n += 1;
    });
    Object.keys(roots).sort().forEach(function (name) {
      var li = line(list, "li", "");
      var sw = line(li, "span", ""); sw.className = "kg-swatch";
      sw.style.background = roots[name].colour;
      line(li, "span", name + " (" + roots[name].n + ")");
    });
    if (!events.length) { line(list, "li", "No events with coordinates."); }
    return Object.keys(roots).sort();
  }

  var tl = document.getElementById("kg-timeline");
  var dated = events.filter(function (e) { return e.day !== null; });
  var first = Math.min.apply(null, dated.map(function (e) { return e.day; }));
  var last = Math.max.apply(null, dated.map(function (e) { return e.day; }));
  if (!dated.length) { first = 0; last = 1; }
  if (last === first) { first -= 1; last += 1; }
  var LEFT = 150, brush = null;
  function tx(d) {
    return LEFT + (d - first) / (last - first) * (tl.clientWidth - LEFT - 10);
  }
  function tday(x) {
    return first + (x - LEFT) / (tl.clientWidth - LEFT - 10) * (last - first);
  }
  function iso(d) { return new Date(Math.round(d) * 864e5).toISOString().slice(0, 10); }
  function drawTimeline(roots) {
    tl.replaceChildren();
    var room = (tl.clientHeight - 20) / Math.max(roots.length, 1);
    var lane = Math.max(12, Math.min(24, room));
    roots.forEach(function (name, i) {
      var y = 4 + i * lane;
      var label = el("text", {x: 4, y: y + lane / 2, "font-size": 11,
                              "dominant-baseline": "central"}, tl);
      label.textContent = name.length > 22 ? name.slice(0, 21) + "\u2026" : name;
      // One mark per 3-pixel column: thousands of events stay a few hundred
      // marks, darker where more events fall.
      var bins = {}, colour = null, most = 0;
      dated.forEach(function (e) {
        if (e.rootName !== name) { return; }
        var col = Math.floor(tx(e.day) / 3);
        bins[col] = (bins[col] || 0) + 1; colour = e.colour;
        most = Math.max(most, bins[col]);
      });
      Object.keys(bins).forEach(function (col) {
        el("rect", {x: col * 3 - 1.5, y: y + 2, width: 3, height: lane - 4,
                    fill: colour, "fill-opacity": 0.35 + 0.65 * bins[col] / most,
                    "class": "kg-tick", "data-count": bins[col]}, tl);
      });
    });
    var axis = el("g", {}, tl), bottom = tl.clientHeight - 4;
    var ticks = [[first, "start"], [(first + last) / 2, "middle"], [last, "end"]];
    ticks.forEach(function (a) {
      var d = a[0];
      var t = el("text", {x: tx(d), y: bottom, "font-size": 10, "text-anchor": a[1]},
                 axis);
      t.textContent = iso(d);
    });
    brush = el("rect", {id: "kg-brush", x: 0, y: 0, width: 0,
                        height: tl.clientHeight, fill: "rgba(70,110,200,0.18)"}, tl);
    showRange();
  }
  function showRange() {
    if (!brush) { return; }
    if (!range) { brush.setAttribute("width", 0); return; }
    brush.setAttribute("x", tx(range[0]) - 2);
    brush.setAttribute("width", Math.max(4, tx(range[1]) - tx(range[0]) + 4));
  }
  function setRange(from, to) {
    range = from === null ? null : [Math.min(from, to), Math.max(from, to)];
    document.getElementById("kg-from").value = range ? iso(range[0]) : "";
    document.getElementById("kg-to").value = range ? iso(range[1]) : "";
    showRange(); drawPoints();
  }
  var start = null;
  tl.addEventListener("mousedown", function (ev) {
    start = ev.clientX - tl.getBoundingClientRect().left;
  });
  tl.addEventListener("mousemove", function (ev) {
    if (start === null) { return; }
    var x = ev.clientX - tl.getBoundingClientRect().left;
    range = [tday(Math.min(start, x)), tday(Math.max(start, x))]; showRange();
  });
  tl.addEventListener("mouseup", function (ev) {
    if (start === null) { return; }
    var x = ev.clientX - tl.getBoundingClientRect().left;
    var a = tday(Math.min(start, x)), b = tday(Math.max(start, x));
    start = null;
    if (Math.abs(tx(b) - tx(a)) < 3) { setRange(null); return; }
    setRange(Math.floor(a), Math.ceil(b));
  });
  function fromInputs() {
    var a = day(document.getElementById("kg-from").value);
    var b = day(document.getElementById("kg-to").value);
    if (a === null && b === null) { setRange(null); return; }
    setRange(a === null ? -1e9 : a, b === null ? 1e9 : b);
  }
  document.getElementById("kg-from").addEventListener("change", fromInputs);
  document.getElementById("kg-to").addEventListener("change", fromInputs);
  document.getElementById("kg-clear").addEventListener("click", function () {
    setRange(null);
  });

  var note = [];
  if (data.config.filter) { note.push("Filtered: " + data.config.filter + "."); }
  if (data.unlocated) {
    note.push(data.unlocated + " selected events have no place with coordinates " +
              "and are not on the map.");
  }
  if (events.length > dated.length) {
    note.push((events.length - dated.length) + " mapped events have no date: " +
              "they show only when no time range is chosen.");
  }
  document.getElementById("kg-note").textContent = note.join(" ");
  drawBase();
  fit();
  var roots = legend();
  setView();
  drawTimeline(roots);
  window.kgMap = {
    setRange: function (a, b) { setRange(day(a), day(b)); },
    clear: function () { setRange(null); },
    shown: function () { return shownEvents().length; }
  };
  window.kgDrawn = true;
})();
