// The graph view's own behaviour, run after the page's drawing script has made
// the globals `nodes`, `edges` (vis.DataSet) and `network` (vis.Network).
//
// Tooltips arrive as escaped HTML in each node's kgTip (never in `title`, which
// would make vis-network show it as HTML). They are parsed in an inert
// DOMParser document, reduced to a few tags with safe attributes, and only then
// adopted into the page, so nothing in them can load or run. All tooltips are
// parsed in one go after the first drawing, so a big graph shows at once.
// Search and filter menus take their options from the data sets as plain text
// (tom-select escapes what it renders).
(function () {
  "use strict";
  var TAGS = {DIV: 1, B: 1, I: 1, BR: 1, A: 1};
  function clean(el) {
    Array.prototype.slice.call(el.children).forEach(function (child) {
      if (!TAGS[child.tagName]) { child.remove(); return; }
      var href = child.getAttribute("href");
      Array.prototype.slice.call(child.attributes).forEach(function (a) {
        child.removeAttribute(a.name);
      });
      if (child.tagName === "A" && href && /^https?:\/\//i.test(href)) {
        child.setAttribute("href", href);
        child.setAttribute("target", "_blank");
        child.setAttribute("rel", "noopener noreferrer");
      }
      clean(child);
    });
    return el;
  }
  function inert(fragments) {
    var doc = new DOMParser().parseFromString("<div></div>", "text/html");
    var holder = doc.body.firstChild;
    holder.innerHTML = fragments.map(function (f) {
      return "<div>" + f + "</div>";
    }).join("");
    return Array.prototype.map.call(clean(holder).children, function (el) {
      el = document.importNode(el, true);
      el.className = "kg-tip";
      return el;
    });
  }
  function tip(fragment) { return inert([fragment])[0]; }
  function addTips() {
    var withTip = nodes.get({filter: function (n) {
      return typeof n.kgTip === "string";
    }});
    var tips = inert(withTip.map(function (n) { return n.kgTip; }));
    nodes.update(withTip.map(function (n, i) { return {id: n.id, title: tips[i]}; }));
    window.kgReady = true;
  }
  // The frame: the canvas fills the window below the header, and the graph is
  // fitted with a margin so no node or label is cut at an edge.
  var frame = document.getElementById("mynetwork");
  var MARGIN = 0.88;
  function sizeFrame() {
    var top = frame.getBoundingClientRect().top + window.scrollY;
    frame.style.height = Math.max(320, window.innerHeight - top - 10) + "px";
    network.setSize("100%", "100%");
  }
  // Readable labels at the default zoom: the TOP busiest actors get a label of
  // TOP_PX..TOP_PX + 4 px on screen at the fitted scale; every other label keeps
  // its own size (growing with its events) and is drawn once the zoom makes it
  // big enough (vis-network's drawThreshold); maxVisible caps them zoomed in.
  var TOP = 20, TOP_PX = 12;
  var busiest = nodes.get({
    fields: ["id", "kgEvents", "kgKind", "font"],
    filter: function (n) { return n.kgKind !== "Event" && n.kgKind !== "Place"; }
  }).sort(function (a, b) {
    return b.kgEvents - a.kgEvents || (a.id < b.id ? -1 : 1);
  }).slice(0, TOP);
  // Set on vis-network's own nodes, not through the DataSet: a DataSet update
  // makes vis-network re-index every node and edge (most of a second at 5,000).
  function readable() {
    var scale = network.getScale(), most = busiest.length ? busiest[0].kgEvents : 1;
    busiest.forEach(function (n) {
      var px = TOP_PX + 4 * n.kgEvents / most, node = network.body.nodes[n.id];
      if (node) {
        node.setOptions({font: {size: Math.max(n.font.size, Math.ceil(px / scale))}});
      }
    });
    network.body.emitter.emit("_requestRedraw");  // batched: a redraw costs a draw
  }
  // Fitted from node positions and sizes alone: vis-network's own fit measures
  // every label, which costs a second on a graph of thousands of nodes.
  function fitScale() {
    var pos = network.getPositions(), sizes = {}, box = null;
    nodes.get({fields: ["id", "size"]}).forEach(function (n) {
      sizes[n.id] = n.size || 10;
    });
    Object.keys(pos).forEach(function (id) {
      var p = pos[id], r = sizes[id] || 10;
      if (box === null) { box = {x0: p.x - r, x1: p.x + r, y0: p.y - r, y1: p.y + r}; }
      box.x0 = Math.min(box.x0, p.x - r); box.x1 = Math.max(box.x1, p.x + r);
      box.y0 = Math.min(box.y0, p.y - r); box.y1 = Math.max(box.y1, p.y + r);
    });
    if (box === null) { return null; }
    var scale = MARGIN * Math.min(frame.clientWidth / (box.x1 - box.x0),
                                  frame.clientHeight / (box.y1 - box.y0));
    return {position: {x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2},
            scale: Math.min(scale, 1.5), animation: false};
  }
  var touched = false;
  function fitFrame() {
    if (touched) { return; }
    var view = fitScale();
    if (view !== null) { network.moveTo(view); }
    readable();
  }
  ["dragStart", "zoom"].forEach(function (name) {
    network.on(name, function () { touched = true; });
  });
  network.once("stabilizationIterationsDone", fitFrame);
  network.once("stabilized", fitFrame);
  window.addEventListener("resize", function () { sizeFrame(); fitFrame(); });
  window.kgFit = function () { touched = false; fitFrame(); };


  var body = document.getElementById("kg-details-body");
  function details(id) {
    var node = id === null ? null : nodes.get(id);
    body.replaceChildren(node && node.kgTip ? tip(node.kgTip) : "Click a node.");
  }
  network.on("click", function (params) {
    details(params.nodes.length ? params.nodes[0] : null);
  });
  function focus(id) {
    if (!id || !nodes.get(id)) { return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    details(id);
  }
  window.kgFocus = focus;
  var everyNode = nodes.get({fields: ["id", "label", "kgKind", "kgRoot", "kgDate"]});
  var everyEdge = edges.get({fields: ["id", "kgRelation"]});
  window.kgSearch = new TomSelect("#kg-search", {
    options: everyNode.map(function (n) {
      return {value: n.id, text: String(n.label).replace("\n", " · "),
              kind: n.kgKind, rank: n.kgKind === "Event" ? 1 : 0};
    }),
    valueField: "value", labelField: "text", searchField: ["text"],
    maxOptions: 50, maxItems: 1,
    // Actors and places first, then events ("Source → Target · Root").
    sortField: [{field: "rank"}, {field: "$score"}, {field: "text"}],
    onChange: focus
  });
  function choices(values) {
    return Object.keys(values).sort().map(function (v) {
      return {value: v, text: v};
    });
  }
  var kinds = {}, groups = {};
  everyNode.forEach(function (n) {
    kinds[n.kgKind] = 1;
    if (n.kgRoot) { groups[n.kgRoot] = 1; }
  });
  everyEdge.forEach(function (e) { if (e.kgRelation) { groups[e.kgRelation] = 1; } });
  var kindMenu = new TomSelect("#kg-filter-kind", {
    options: choices(kinds), plugins: ["remove_button"], onChange: applyFilters
  });
  var groupMenu = new TomSelect("#kg-filter-group", {
    options: choices(groups), plugins: ["remove_button"], onChange: applyFilters
  });
  window.kgFilters = {kind: kindMenu, group: groupMenu};
  // Which edges touch each actor or place: a filter on event types (or, in the
  // actor network, on relations) hides those left without a visible event.
  var isEvent = {}, touching = {};
  everyNode.forEach(function (n) {
    if (n.kgKind === "Event") { isEvent[n.id] = true; } else { touching[n.id] = []; }
  });
  edges.get({fields: ["id", "from", "to", "kgRelation"]}).forEach(function (e) {
    if (touching[e.from]) { touching[e.from].push(e); }
    if (touching[e.to] && e.to !== e.from) { touching[e.to].push(e); }
  });
  function out(list, value) { return list.length > 0 && list.indexOf(value) < 0; }
  function applyFilters() {
    var k = kindMenu.getValue(), g = groupMenu.getValue();
    var eventShown = {}, until = time.until();
    everyNode.forEach(function (n) {
      if (isEvent[n.id]) {
        eventShown[n.id] = !out(g, n.kgRoot) &&
          (until === null || (!!n.kgDate && n.kgDate <= until));
      }
    });
    function linked(id) {
      return touching[id].some(function (e) {
        if (e.kgRelation) { return !out(g, e.kgRelation); }
        var other = e.from === id ? e.to : e.from;
        return eventShown[other] === true;
      });
    }
    nodes.update(everyNode.map(function (n) {
      var hidden = out(k, n.kgKind);
      if (isEvent[n.id]) {
        hidden = hidden || !eventShown[n.id];
      } else if (g.length > 0 || until !== null) {
        hidden = hidden || !linked(n.id);
      }
      return {id: n.id, hidden: hidden};
    }));
    if (everyEdge.some(function (e) { return e.kgRelation; })) {
      edges.update(everyEdge.map(function (e) {
        return {id: e.id, hidden: out(g, e.kgRelation)};
      }));
    }
    shown();
  }
  function shown() {
    var visible = nodes.get({filter: function (n) { return !n.hidden; }}).length;
    document.getElementById("kg-shown").textContent =
      visible + " of " + everyNode.length + " nodes shown";
  }
  // The time slider (when events carry dates): events up to the chosen date,
  // the last step shows every event, dated or not; play steps through in order.
  var time = (function () {
    var range = document.getElementById("kg-time-range");
    var dates = Object.keys(everyNode.reduce(function (seen, n) {
      if (n.kgDate) { seen[n.kgDate] = 1; }
      return seen;
    }, {})).sort();
    if (!range || dates.length === 0) {
      return {until: function () { return null; }};
    }
    var label = document.getElementById("kg-time-date");
    var play = document.getElementById("kg-time-play");
    var timer = null;
    range.max = String(dates.length);
    range.value = range.max;
    function until() {
      var i = Number(range.value);
      return i >= dates.length ? null : dates[i];
    }
    function moved() {
      label.textContent = until() === null ? "all dates" : until();
      applyFilters();
    }
    function stop() {
      clearInterval(timer);
      timer = null;
      play.textContent = "\u25B6";
    }
    range.addEventListener("input", function () { stop(); moved(); });
    play.addEventListener("click", function () {
      if (timer !== null) { stop(); return; }
      if (until() === null) { range.value = "0"; moved(); }
      play.textContent = "\u275A\u275A";
      timer = setInterval(function () {
        range.value = String(Number(range.value) + 1);
        moved();
        if (until() === null) { stop(); }
      }, 400);
    });
    return {until: until, dates: dates, set: function (i) {
      stop(); range.value = String(i); moved();
    }};
  })();
  window.kgTime = time;
  shown();
  sizeFrame();  // after the menus are made: they set the header's height
  fitFrame();
  // Drawn: the first picture with the fitted frame and its labels.
  window.kgDrawn = false;
  window.kgReady = false;
  network.once("afterDrawing", function () {
    window.kgDrawn = true;
    window.kgDrawnAt = performance.now();
    setTimeout(addTips, 0);
  });
  network.redraw();
})();
