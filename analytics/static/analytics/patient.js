// The patient analytics page: draws the charts with plotly.js from the JSON in
// #analytics-data (json_script; no inline script, strict CSP). Every chart of the period
// shares one time axis: zooming one zooms them all; a double-click shows the whole period.
(function () {
  "use strict";
  var source = document.getElementById("analytics-data");
  if (!source || !window.Plotly) return;
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  function v(name, fallback) { return (css.getPropertyValue(name) || fallback).trim(); }
  var text = v("--text", "#1b1f23");
  var muted = v("--muted", "#4a5560");
  var border = v("--border", "#c3ccd4");
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  // Okabe–Ito colours (colour-blind safe), lighter in the dark scheme; lines also differ by dash.
  var colours = dark
    ? ["#56B4E9", "#E69F00", "#7fd6b5", "#e59acb", "#F0E442", "#f08a5d", "#c7d0d9"]
    : ["#0072B2", "#D55E00", "#007a5a", "#a1467e", "#8a6d00", "#b33c00", "#4a5560"];
  var dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid"];
  var charts = [];
  var syncing = false;

  function days() { return data.diary.days; }
  function line(x, y, name, n, extra) {
    var trace = {
      x: x, y: y, name: name, type: "scatter", mode: "lines+markers", connectgaps: false,
      line: { color: colours[n % colours.length], dash: dashes[n % dashes.length], width: 2 },
      marker: { size: 5, color: colours[n % colours.length] },
      hovertemplate: "%{x|%d %b %Y}: %{y}<extra>" + name.replace(/</g, "&lt;") + "</extra>"
    };
    return Object.assign(trace, extra || {});
  }
  function watchShapes() {
    return data.events.filter(function (e) { return e.kind === "watch"; }).map(function (e) {
      return {
        type: "rect", xref: "x", yref: "paper", x0: e.at, x1: e.until || data.axis[1],
        y0: 0, y1: 1, fillcolor: dark ? "rgba(242,160,160,0.15)" : "rgba(139,26,26,0.08)",
        line: { width: 0 }, layer: "below"
      };
    });
  }
  function layout(yTitle, range, extra) {
    var base = {
      // One left margin for every chart, so that their time axes line up on the page.
      margin: { l: 104, r: 16, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, size: 12, family: "system-ui, sans-serif" },
      xaxis: { type: "date", range: data.axis.slice(), gridcolor: border, linecolor: muted,
               tickformat: "%d %b" },
      yaxis: { title: { text: yTitle }, gridcolor: border, zeroline: false, linecolor: muted,
               fixedrange: true },
      legend: { orientation: "h", y: -0.22, font: { color: text } },
      shapes: watchShapes(),
      hoverlabel: { namelength: -1 },
      dragmode: "zoom"
    };
    if (range) { base.yaxis.range = range; }
    return Object.assign(base, extra || {});
  }
  // The three small diary charts sit side by side: a narrower left margin.
  function narrow(chartLayout) { chartLayout.margin.l = 48; return chartLayout; }
  function draw(element, traces, chartLayout, shared) {
    Plotly.newPlot(element, traces, chartLayout, {
      displayModeBar: false, responsive: true, displaylogo: false
    });
    if (shared) {
      charts.push(element);
      element.on("plotly_relayout", function (event) { follow(element, event); });
    }
  }
  function follow(origin, event) {
    if (syncing) return;
    var update = null;
    if (event["xaxis.autorange"] || event["xaxis.range[0]"] === undefined && event["xaxis.range"] === undefined) {
      if (event["xaxis.autorange"]) update = { "xaxis.range": data.axis.slice() };
    } else {
      update = {
        "xaxis.range": event["xaxis.range"] || [event["xaxis.range[0]"], event["xaxis.range[1]"]]
      };
    }
    if (!update) return;
    syncing = true;
    var pending = charts.map(function (chart) { return Plotly.relayout(chart, update); });
    Promise.all(pending).then(function () { syncing = false; }, function () { syncing = false; });
  }
  function series(list) {
    return list.map(function (s, n) { return line(days(), s.values, s.label, n); });
  }
  function el(id) { return document.getElementById(id); }

  if (el("chart-emotions")) {
    draw(el("chart-emotions"), series(data.diary.emotions),
      layout("0–5", [-0.2, 5.2], { showlegend: true }), true);
  }
  if (el("chart-urges")) {
    draw(el("chart-urges"), series(data.diary.urges),
      layout("0–5", [-0.2, 5.2], { showlegend: true }), true);
  }
  if (el("chart-skills")) {
    draw(el("chart-skills"), [line(days(), data.diary.skills_used.values, data.diary.skills_used.label, 2)],
      narrow(layout("0–7", [-0.3, 7.3], { showlegend: false })), true);
  }
  if (el("chart-sleep")) {
    draw(el("chart-sleep"), [line(days(), data.diary.sleep_hours.values, data.diary.sleep_hours.label, 0)],
      narrow(layout("hours", [0, Math.max.apply(null, [12].concat(
        data.diary.sleep_hours.values.filter(function (h) { return h !== null; }))) + 0.5],
        { showlegend: false })), true);
  }
  if (el("chart-medication")) {
    var med = line(days(), data.diary.medication.values, data.diary.medication.label, 1,
      { mode: "markers", marker: { size: 7, symbol: "square", color: colours[1] },
        hovertemplate: "%{x|%d %b %Y}: %{text}<extra></extra>",
        text: data.diary.medication.values.map(function (x) {
          return x === null ? "" : x === 1 ? "taken as prescribed" : "not as prescribed";
        }) });
    var medLayout = narrow(layout("", [-0.5, 1.5], { showlegend: false }));
    medLayout.yaxis.tickvals = [0, 1];
    medLayout.yaxis.ticktext = ["no", "yes"];
    draw(el("chart-medication"), [med], medLayout, true);
  }
  if (el("chart-ema")) {
    draw(el("chart-ema"), data.ema.items.map(function (item, n) {
      return line(item.times, item.values, item.label, n);
    }), layout("answer", null, { showlegend: true }), true);
  }
  if (el("chart-instability")) {
    var weekly = data.ema.instability.map(function (item, n) {
      return line(item.weeks.map(function (w) { return w.week; }),
        item.weeks.map(function (w) { return w.mssd; }), item.label + " MSSD", n);
    });
    draw(el("chart-instability"), weekly, layout("MSSD", null, { showlegend: true }), true);
  }
  document.querySelectorAll("[data-chart='score']").forEach(function (element) {
    var score = data.scores.filter(function (s) { return s.key === element.dataset.key; })[0];
    if (!score) return;
    var scoreLayout = layout("score", [score.range[0], score.range[1]], { showlegend: false });
    var shading = dark ? ["0.05", "0.10", "0.15", "0.20", "0.25", "0.30"]
                       : ["0.04", "0.08", "0.12", "0.16", "0.20", "0.24"];
    score.bands.forEach(function (band, n) {
      scoreLayout.shapes.push({
        type: "rect", xref: "paper", yref: "y", x0: 0, x1: 1, y0: band.lower, y1: band.upper,
        fillcolor: (dark ? "rgba(230,159,0," : "rgba(213,94,0,") + shading[Math.min(n, 5)] + ")",
        line: { width: 0 }, layer: "below"
      });
      scoreLayout.annotations = (scoreLayout.annotations || []).concat([{
        xref: "paper", yref: "y", x: 1, xanchor: "right", y: (band.lower + band.upper) / 2,
        text: band.label, showarrow: false, font: { size: 10, color: muted }
      }]);
    });
    var trace = line(score.times, score.values, score.title, 0, {
      text: score.band_of_each,
      hovertemplate: "%{x|%d %b %Y}: %{y} (%{text})<extra>" + score.title + "</extra>"
    });
    draw(element, [trace], scoreLayout, true);
  });
  if (el("chart-events")) {
    var rows = { session: "Sessions", alert: "Risk alerts", watch: "High-risk watch", plan: "Safety plan" };
    var symbols = { session: "circle", alert: "diamond", watch: "triangle-right", plan: "square" };
    var traces = Object.keys(rows).map(function (kind, n) {
      var found = data.events.filter(function (e) { return e.kind === kind; });
      return {
        type: "scatter", mode: "markers", name: rows[kind],
        x: found.map(function (e) { return e.at; }),
        y: found.map(function () { return rows[kind]; }),
        text: found.map(function (e) { return e.label; }),
        hovertemplate: "%{x|%d %b %Y}: %{text}<extra></extra>",
        marker: { size: 11, symbol: symbols[kind], color: colours[n] }
      };
    }).filter(function (t) { return t.x.length; });
    var eventLayout = layout("", null, { showlegend: false });
    eventLayout.yaxis = { type: "category", categoryorder: "array", automargin: true,
      categoryarray: ["Safety plan", "High-risk watch", "Risk alerts", "Sessions"],
      gridcolor: border, fixedrange: true, automargin: false };
    draw(el("chart-events"), traces, eventLayout, true);
  }
  document.querySelectorAll("[data-chart='trend']").forEach(function (element) {
    var trend = data.trends.series.filter(function (t) { return t.key === element.dataset.key; })[0];
    if (!trend) return;
    var ends = trend.windows.map(function (w) { return w.end; });
    var trendLayout = layout("variance", null, { showlegend: true });
    trendLayout.yaxis2 = { title: { text: "lag-1 autocorrelation" }, overlaying: "y",
      side: "right", range: [-1, 1], gridcolor: border, zeroline: false, fixedrange: true };
    trendLayout.margin.r = 64;
    draw(element, [
      line(ends, trend.windows.map(function (w) { return w.variance; }), "variance", 0),
      line(ends, trend.windows.map(function (w) { return w.acf_lag1; }), "lag-1 autocorrelation", 1,
        { yaxis: "y2" })
    ], trendLayout, true);
  });
})();
