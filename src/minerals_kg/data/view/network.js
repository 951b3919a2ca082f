// minerals-kg network view: reads the JSON in #kg-data and draws it with cytoscape.js (bundled above).
// Node colour: its label; node size: its share of world output at the chosen stage (and mineral);
// edges: colour and line style by relationship type. Search, mineral/stage/type filters, and a
// details panel with every property and the source's title and URL. Everything stays in the page.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var sources = data.sources || {};
  var shares = data.shares || {};
  var highlight = {};
  (data.highlight || []).forEach(function (id) { highlight[id] = true; });
  var DASHED = { COVERS: 1, TARGETS: 1, PARTY_TO: 1, ANNOUNCED_AT: 1, SOURCED_FROM: 1, BENEFITS: 1 };
  var DOTTED = { LOCATED_IN: 1, HEADQUARTERED_IN: 1, SUCCESSOR_OF: 1, PART_OF: 1 };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // --- styles ---------------------------------------------------------------------------------
  var style = [
    { selector: "node", style: {
      "background-color": "#999", "label": "data(name)", "font-size": 11, "color": "#222",
      "text-valign": "bottom", "text-margin-y": 2, "min-zoomed-font-size": 6,
      "text-wrap": "ellipsis", "text-max-width": 110,
      "width": 14, "height": 14, "border-width": 0.5, "border-color": "#555", "border-opacity": 0.5 } },
    { selector: 'node[kg_label = "PolicyInstrument"], node[kg_label = "Facility"], node[kg_label = "Firm"], node[kg_label = "Source"], node[kg_label = "Event"]', style: { "label": "" } },
    { selector: "node.member", style: { "border-width": 3, "border-color": "#111" } },
    { selector: "node[?scenario_removed], node[?scenario_lost_share]", style: { "border-width": 3, "border-color": "#d00", "border-style": "dashed" } },
    { selector: "edge", style: {
      "width": 1.2, "line-color": "#bbb", "target-arrow-color": "#bbb", "target-arrow-shape": "triangle",
      "arrow-scale": 0.6, "curve-style": "bezier", "opacity": 0.75 } },
    { selector: "edge[?scenario_cut]", style: { "line-color": "#d00", "target-arrow-color": "#d00", "width": 3, "line-style": "dashed" } },
    { selector: ".hidden", style: { "display": "none" } },
    { selector: ".faded", style: { "opacity": 0.12 } },
    { selector: "node.match", style: { "border-width": 4, "border-color": "#f0c000", "z-index": 10, "label": "data(name)" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#000", "label": "data(name)" } },
    { selector: "edge:selected", style: { "line-color": "#000", "target-arrow-color": "#000", "width": 3 } }
  ];
  Object.keys(data.labelColours).forEach(function (label) {
    style.splice(1, 0, { selector: 'node[kg_label = "' + label + '"]', style: { "background-color": data.labelColours[label] } });
  });
  Object.keys(data.typeColours).forEach(function (type) {
    var s = { "line-color": data.typeColours[type], "target-arrow-color": data.typeColours[type] };
    if (DASHED[type]) { s["line-style"] = "dashed"; }
    if (DOTTED[type]) { s["line-style"] = "dotted"; }
    style.splice(style.length - 6, 0, { selector: 'edge[kg_type = "' + type + '"]', style: s });
  });

  // deterministic starting positions (a seeded spiral by id), then a force-directed layout
  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0) / 4294967296;
  }
  var nodes = data.elements.nodes;
  nodes.forEach(function (n, i) {
    var angle = 2 * Math.PI * hash(n.data.id), radius = 40 * Math.sqrt(i + 1);
    n.position = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
  });

  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: { nodes: nodes, edges: data.elements.edges },
    style: style,
    layout: { name: "preset" },
    minZoom: 0.05,
    maxZoom: 6
  });
  cy.nodes().forEach(function (n) { if (highlight[n.id()]) { n.addClass("member"); } });

  // --- controls ---------------------------------------------------------------------------------
  var mineralSelect = document.getElementById("kg-mineral");
  var stageSelect = document.getElementById("kg-stage");
  var typeBox = document.getElementById("kg-types");
  var legend = document.getElementById("kg-legend");
  var search = document.getElementById("kg-search");
  var searchResult = document.getElementById("kg-search-result");
  var details = document.getElementById("kg-details");

  cy.nodes('[kg_label = "Mineral"]').sort(function (a, b) { return a.data("name") < b.data("name") ? -1 : 1; })
    .forEach(function (m) { mineralSelect.appendChild(el("option", { value: m.id() }, m.data("name"))); });
  var stages = {};
  cy.edges("[stage]").forEach(function (e) { stages[e.data("stage")] = true; });
  Object.keys(shares).forEach(function (id) {
    Object.keys(shares[id]).forEach(function (m) { Object.keys(shares[id][m]).forEach(function (s) { stages[s] = true; }); });
  });
  (data.stages || []).filter(function (s) { return stages[s]; }).forEach(function (s) {
    stageSelect.appendChild(el("option", { value: s }, s));
  });
  var types = {};
  cy.edges().forEach(function (e) { types[e.data("kg_type")] = (types[e.data("kg_type")] || 0) + 1; });
  var shown = {};
  Object.keys(types).sort().forEach(function (t) {
    shown[t] = true;
    var label = el("label");
    var box = el("input", { type: "checkbox", value: t, "data-type": t });
    box.checked = true;
    box.addEventListener("change", function () { shown[t] = box.checked; apply(); });
    var line = el("span", { "class": "line" });
    line.style.borderTopColor = data.typeColours[t] || "#bbb";
    line.style.borderTopStyle = DASHED[t] ? "dashed" : (DOTTED[t] ? "dotted" : "solid");
    label.appendChild(box); label.appendChild(line); label.appendChild(document.createTextNode(" " + t + " (" + types[t] + ")"));
    typeBox.appendChild(label);
  });
  var labels = {};
  cy.nodes().forEach(function (n) { labels[n.data("kg_label")] = (labels[n.data("kg_label")] || 0) + 1; });
  Object.keys(labels).sort().forEach(function (l) {
    var item = el("label");
    var swatch = el("span", { "class": "swatch" });
    swatch.style.background = data.labelColours[l] || "#999";
    item.appendChild(swatch); item.appendChild(document.createTextNode(" " + l + " (" + labels[l] + ")"));
    legend.appendChild(item);
  });
  if (data.highlight && data.highlight.length) {
    var member = el("label", {}, "");
    var ring = el("span", { "class": "swatch" });
    ring.style.border = "3px solid #111";
    member.appendChild(ring); member.appendChild(document.createTextNode(" " + (data.highlightLabel || "highlighted")));
    legend.appendChild(member);
  }

  // --- filters and sizes ------------------------------------------------------------------------
  function shareOf(id, mineral, stage) {
    var byMineral = shares[id];
    if (!byMineral) { return 0; }
    var best = 0;
    (mineral ? [mineral] : Object.keys(byMineral)).forEach(function (m) {
      var byStage = byMineral[m] || {};
      (stage ? [stage] : Object.keys(byStage)).forEach(function (s) { best = Math.max(best, byStage[s] || 0); });
    });
    return best;
  }

  function edgeVisible(e, mineral, stage) {
    if (!shown[e.data("kg_type")]) { return false; }
    var s = e.source(), t = e.target();
    var touchesMineral = s.data("kg_label") === "Mineral" || t.data("kg_label") === "Mineral";
    if (mineral && touchesMineral && s.id() !== mineral && t.id() !== mineral) { return false; }
    if (stage && e.data("stage") !== undefined && e.data("stage") !== stage) { return false; }
    return true;
  }

  function apply() {
    var mineral = mineralSelect.value, stage = stageSelect.value;
    cy.batch(function () {
      cy.elements().removeClass("hidden");
      cy.edges().forEach(function (e) { if (!edgeVisible(e, mineral, stage)) { e.addClass("hidden"); } });
      cy.nodes().forEach(function (n) {
        var edges = n.connectedEdges();
        var isOtherMineral = mineral && n.data("kg_label") === "Mineral" && n.id() !== mineral;
        if (isOtherMineral || (edges.length > 0 && edges.filter(function (e) { return !e.hasClass("hidden"); }).length === 0)) {
          n.addClass("hidden");
        }
        var size = n.data("kg_label") === "Mineral" ? 30 : 12 + 60 * Math.sqrt(shareOf(n.id(), mineral, stage));
        n.style({ width: size, height: size });
      });
    });
  }

  function runSearch() {
    var q = search.value.trim().toLowerCase();
    cy.elements().removeClass("faded").nodes().removeClass("match");
    if (!q) { searchResult.textContent = ""; return; }
    var matches = cy.nodes().filter(function (n) {
      return !n.hasClass("hidden") && (n.id().toLowerCase().indexOf(q) >= 0 || String(n.data("name")).toLowerCase().indexOf(q) >= 0);
    });
    searchResult.textContent = matches.length + " match" + (matches.length === 1 ? "" : "es");
    if (matches.length) {
      cy.elements().addClass("faded");
      matches.removeClass("faded").addClass("match");
      matches.connectedEdges().removeClass("faded").connectedNodes().removeClass("faded");
      cy.fit(matches.closedNeighborhood().filter(":visible"), 60);
    }
  }

  // --- details ----------------------------------------------------------------------------------
  function sourceBlock(id) {
    var doc = sources[id];
    var box = el("div", { "class": "source", "data-source": id });
    box.appendChild(el("strong", {}, "Source: "));
    if (!doc) { box.appendChild(document.createTextNode(id)); return box; }
    box.appendChild(el("span", { "class": "source-title" }, doc.title || id));
    box.appendChild(el("br"));
    var meta = [doc.publisher, doc.edition, doc.published].filter(function (x) { return x; }).join(", ");
    if (meta) { box.appendChild(el("span", { "class": "note" }, meta)); box.appendChild(el("br")); }
    if (doc.url) { box.appendChild(el("a", { href: doc.url, target: "_blank", rel: "noopener noreferrer", "class": "source-url" }, doc.url)); }
    if (doc.licence) { box.appendChild(el("div", { "class": "note" }, "Licence: " + doc.licence)); }
    return box;
  }

  function show(ele) {
    details.innerHTML = "";
    var d = ele.data();
    var heading = ele.isNode() ? (d.name || d.id) : (ele.source().data("name") + " \u2192 " + d.kg_type + " \u2192 " + ele.target().data("name"));
    details.appendChild(el("h2", {}, heading));
    var table = el("table");
    Object.keys(d).sort().forEach(function (k) {
      var v = d[k];
      var row = el("tr");
      row.appendChild(el("th", {}, k));
      row.appendChild(el("td", {}, Array.isArray(v) ? v.join(", ") : (typeof v === "object" ? JSON.stringify(v) : String(v))));
      table.appendChild(row);
    });
    if (ele.isNode() && shares[d.id]) {
      Object.keys(shares[d.id]).sort().forEach(function (m) {
        Object.keys(shares[d.id][m]).sort().forEach(function (s) {
          var row = el("tr");
          row.appendChild(el("th", {}, "share of " + m + " " + s));
          row.appendChild(el("td", {}, (100 * shares[d.id][m][s]).toFixed(1) + "%"));
          table.appendChild(row);
        });
      });
    }
    details.appendChild(table);
    if (d.kg_source) { details.appendChild(sourceBlock(d.kg_source)); }
    if (ele.isNode() && d.kg_label === "Source") {
      sources[d.id] = sources[d.id] || d;
      details.appendChild(sourceBlock(d.id));
    }
  }

  cy.on("tap", "node, edge", function (evt) { show(evt.target); });
  mineralSelect.addEventListener("change", function () { apply(); runSearch(); });
  stageSelect.addEventListener("change", function () { apply(); runSearch(); });
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter") {
      var first = cy.nodes(".match").first();
      if (first.length) { cy.elements().unselect(); first.select(); show(first); }
    }
  });
  document.getElementById("kg-fit").addEventListener("click", function () { cy.fit(cy.elements(":visible"), 30); });

  apply();
  var view = { cy: cy, ready: false, show: show };
  window.cy = cy;
  window.kgView = view;
  var layout = nodes.length <= (data.layoutLimit || 2500)
    ? { name: "cose", randomize: false, animate: false, nodeDimensionsIncludeLabels: false, idealEdgeLength: 90,
        nodeRepulsion: 400000, nodeOverlap: 20, gravity: 0.4, componentSpacing: 80, numIter: 1500, fit: true, padding: 30 }
    : { name: "preset", fit: true, padding: 30 };
  var running = cy.layout(layout);
  running.one("layoutstop", function () { view.ready = true; document.body.setAttribute("data-ready", "true"); });
  running.run();
}());
