/* global document, getComputedStyle, uPlot */
// Draws the dashboard's charts with uPlot from data the server put in
// data-* attributes; everything else on the pages is plain HTML.
(function () {
  "use strict";
  var css = getComputedStyle(document.documentElement);
  var accent = css.getPropertyValue("--accent").trim() || "#2a7";
  function spark(el) {
    var ys = JSON.parse(el.getAttribute("data-spark"));
    if (
      ys.filter(function (y) {
        return y !== null;
      }).length < 2
    )
      return;
    var xs = ys.map(function (_, i) {
      return i;
    });
    new uPlot(
      {
        width: el.clientWidth || 140,
        height: 36,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false } },
        series: [{}, { stroke: accent, width: 2, spanGaps: true }],
      },
      [xs, ys],
      el,
    );
  }
  function chart(el) {
    var d = JSON.parse(el.getAttribute("data-chart"));
    var xs = d.labels.map(function (_, i) {
      return i;
    });
    var colors = [accent, "#d55", "#57c", "#c90"];
    new uPlot(
      {
        width: el.clientWidth || 320,
        height: 220,
        scales: { x: { time: false } },
        axes: [
          {
            values: function (_, ticks) {
              return ticks.map(function (t) {
                return d.labels[t] || "";
              });
            },
          },
          {},
        ],
        series: [{ label: "" }].concat(
          d.series.map(function (s, i) {
            return { label: s.label, stroke: colors[i % colors.length], width: 2, spanGaps: true };
          }),
        ),
      },
      [xs].concat(
        d.series.map(function (s) {
          return s.values;
        }),
      ),
      el,
    );
  }
  document.querySelectorAll("[data-spark]").forEach(spark);
  document.querySelectorAll("[data-chart]").forEach(chart);
})();
