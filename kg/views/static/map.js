// The map page: Natural Earth borders and country names drawn by Leaflet,
// clustered event markers (leaflet.markercluster) and a timeline brush, from
// the JSON in #kg-data (events, labels) and #kg-world (the atlas, TopoJSON).
//
// Everything from the data reaches the DOM through textContent or setAttribute
// with fixed attribute names; links only when http(s). Leaflet is handed DOM
// elements, never strings, for tooltips and icons: it would set a string as
// innerHTML.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var events = data.events, box = document.getElementById("kg-map");
  var online = !!data.config.tiles;
  var range = null;  // [fromDay, toDay] or null for every event
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function line(parent, tag, text) {
    var e = document.createElement(tag); e.textContent = text; parent.appendChild(e);
    return e;
  }
  function day(date) { return date ? Date.parse(date.slice(0, 10)) / 864e5 : null; }
  events.forEach(function (e) { e.day = day(e.date); });

  // Leaflet's own wheel zoom keeps the point under the pointer in place. No
  // maxBounds: pushing the view back inside them after a zoom near the map's
  // edge would move that point.
  var map = L.map(box, {minZoom: 1, maxZoom: online ? 18 : 9, zoomSnap: 1});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Leaflet | borders and names: Natural Earth");
  if (online) {
    L.tileLayer(data.config.tiles, {maxZoom: 18}).addTo(map);
  }

  // Natural Earth's rings may cross the antimeridian (Russia, Fiji) or go round
  // the South Pole (Antarctica): on a flat map they are unwrapped, and a ring
  // round a pole is closed along the map's edge (as kg/views/atlas.py does).
  function planarRing(ring) {
    var out = [ring[0].slice()], shift = 0, jumps = 0, i;
    for (i = 1; i < ring.length; i++) {
      var step = ring[i][0] - ring[i - 1][0];
      if (Math.abs(step) > 180) { shift -= 360 * Math.sign(step); jumps += 1; }
      out.push([ring[i][0] + shift, ring[i][1]]);
    }
    if (jumps % 2) {
      var mean = 0;
      out.forEach(function (p) { mean += p[1]; });
      var pole = mean < 0 ? -90 : 90;
      out.push([out[out.length - 1][0], pole], [out[0][0], pole], out[0].slice());
    }
    return out;
  }
  function polar(ring) {
    return ring.every(function (p) { return Math.abs(p[1]) > 89.9; });
  }
  function planarPolygon(rings) {
    return rings.filter(function (r) { return !polar(r); }).map(planarRing);
  }
  var world = JSON.parse(document.getElementById("kg-world").textContent);
  var shapes = topojson.feature(world, world.objects.countries);
  shapes.features.forEach(function (f) {
    var g = f.geometry;
    if (!g) { return; }
    if (g.type === "Polygon") { g.coordinates = planarPolygon(g.coordinates); }
    if (g.type === "MultiPolygon") {
      g.coordinates = g.coordinates.map(planarPolygon).filter(function (p) {
        return p.length;
      });
    }
  });
  L.geoJSON(shapes, {interactive: false, style: {
    className: "kg-country", color: "#9b978d", weight: 0.8, fillColor: "#f3f0e8",
    fillOpacity: online ? 0 : 1}}).addTo(map);

  // Country names, biggest countries first; a name is shown from the zoom at
  // which its country is as wide as the name, and only if it overlaps no
  // name already shown (so small states appear as the user zooms in).
  map.createPane("kg-labels");
  var labels = data.labels.map(function (l) {
    var span = document.createElement("span"), w = Math.ceil(l[0].length * 6.5) + 6;
    span.textContent = l[0];
    var marker = L.marker([l[1], l[2]], {
      pane: "kg-labels", interactive: false, keyboard: false,
      icon: L.divIcon({html: span, className: "kg-country-label", iconSize: [w, 14],
                       iconAnchor: [w / 2, 7]})});
    return {marker: marker, minZoom: l[3], w: w};
  });
  L.layerGroup(labels.map(function (l) { return l.marker; })).addTo(map);
  function placeLabels() {
    var z = map.getZoom(), taken = [], shown = 0;
    labels.forEach(function (l) {
      var show = z >= l.minZoom;
      if (show) {
        var p = map.project(l.marker.getLatLng(), z);
        var b = [p.x - l.w / 2 - 3, p.y - 9, p.x + l.w / 2 + 3, p.y + 9];
        show = !taken.some(function (t) {
          return b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3];
        });
        if (show) { taken.push(b); shown += 1; }
      }
      var icon = l.marker.getElement();
      if (icon) { icon.classList.toggle("kg-hidden", !show); }
    });
    box.setAttribute("data-labels", shown);
  }
  map.on("zoomend", placeLabels);

  // Event markers: a filled dot at the event's own place, a ring where kg
  // placed it (its country's centre, its article's dateline city).
  function dot(e) {
    var d = document.createElement("div");
    d.className = "kg-dot" + (e.rule === "place" ? "" : " kg-approx");
    d.style.setProperty("--kg-colour", e.colour);
    return L.divIcon({html: d, className: "kg-point kg-rule-" + e.rule,
                      iconSize: [14, 14]});
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
  function eventsOf(cluster) {
    return cluster.getAllChildMarkers().map(function (m) { return m.kgEvent; });
  }
  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = Math.round(Math.min(56, 24 + 4 * Math.sqrt(n)));
    var d = document.createElement("div");
    d.className = "kg-cluster";
    d.setAttribute("data-count", n);
    d.style.setProperty("--kg-colour", dominant(eventsOf(cluster)));
    line(d, "span", String(n));
    return L.divIcon({html: d, className: "kg-cluster-icon", iconSize: [size, size]});
  }
  var clusters = L.markerClusterGroup({
    maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: clusterIcon});
  clusters.on("clustermouseover", function (ev) { details(eventsOf(ev.layer)); });
  var markers = events.map(function (e) {
    var m = L.marker([e.lat, e.lon], {icon: dot(e)});
    m.kgEvent = e;
    // The tooltip goes when the pointer leaves: its title is text, the
    // details panel holds the link.
    m.bindTooltip(function () { return card(e, false); },
                  {direction: "top", offset: [0, -8], className: "kg-tip"});
    m.on("mouseover click", function () { details([e]); });
    return m;
  });
  map.addLayer(clusters);

  function card(e, link) {
    var c = document.createElement("div"); c.className = "kg-event";
    line(c, "b", e.type);
    var when = e.date ? e.date + (e.articleDate ? " (article)" : "") : "undated";
    line(c, "div", [when, e.place].join(" \u00b7 "));
    var dyad = e.source + (e.target ? " \u2192 " + e.target : "");
    if (e.source) { line(c, "div", dyad); }
    if (e.sentence) { line(c, "i", e.sentence); }
    var art = line(c, "div", "Article: ");
    if (link && e.url && /^https?:\/\//i.test(e.url)) {
      var a = line(art, "a", e.title);
      a.setAttribute("href", e.url); a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    } else { line(art, "span", e.title); }
    return c;
  }
  function details(group) {
    var body = document.getElementById("kg-details-body");
    body.replaceChildren();
    group.slice(0, 10).forEach(function (e) { body.appendChild(card(e, true)); });
    if (group.length > 10) { line(body, "p", "and " + (group.length - 10) + " more"); }
  }
  function inRange(e) {
    return !range || (e.day !== null && e.day >= range[0] && e.day <= range[1]);
  }
  function shownEvents() { return events.filter(inRange); }
  // The timeline's range re-fills the cluster group: markercluster re-clusters
  // the markers kept (20,000 take about 0.15 s).
  function drawPoints() {
    var keep = markers.filter(function (m) { return inRange(m.kgEvent); });
    clusters.clearLayers();
    clusters.addLayers(keep);
    box.setAttribute("data-shown", keep.length);
    document.getElementById("kg-shown").textContent =
      keep.length + " of " + events.length + " mapped events shown";
  }
  function fit() {
    if (events.length < 2) {
      map.setView(events.length ? [events[0].lat, events[0].lon] : [25, 15],
                  events.length ? 4 : 2, {animate: false});
      return;
    }
    var bounds = L.latLngBounds(events.map(function (e) { return [e.lat, e.lon]; }));
    map.fitBounds(bounds, {padding: [28, 28], maxZoom: 5, animate: false});
  }

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
    if (!events.length) { line(list, "li", "No events on the map."); }
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
    note.push(data.unlocated + " selected events have no place with coordinates, " +
              "no country and no dateline city, and are not on the map.");
  }
  if (events.length > dated.length) {
    note.push((events.length - dated.length) + " mapped events have no date: " +
              "they show only when no time range is chosen.");
  }
  document.getElementById("kg-note").textContent = note.join(" ");
  var rules = document.getElementById("kg-rules");
  [["place", "", "at their own place"],
   ["country", " kg-approx", "at their country's centre (place is a country)"],
   ["dateline", " kg-approx", "at the article's dateline city (place unknown)"]]
    .forEach(function (r) {
      if (!data.rules[r[0]]) { return; }
      var li = line(rules, "li", ""), d = line(li, "span", "");
      d.className = "kg-dot kg-legend-dot" + r[1];
      line(li, "span", data.rules[r[0]] + " " + r[2]);
    });
  if (data.unlocated) { line(rules, "li", data.unlocated + " not on the map"); }
  fit();
  placeLabels();
  var roots = legend();
  drawPoints();
  drawTimeline(roots);
  window.kgMap = {
    setRange: function (a, b) { setRange(day(a), day(b)); },
    clear: function () { setRange(null); },
    shown: function () { return shownEvents().length; },
    leaflet: map
  };
  window.kgDrawn = true;
})();
