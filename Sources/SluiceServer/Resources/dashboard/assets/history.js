// A workflow's run history table, and its metrics table with sparklines of their trend.
"use strict";

// ---- Runs ---------------------------------------------------------------------------------------------------

function renderRuns(workflow, runs, now) {
  const heading = el("h3", {}, "Run history");
  if (!runs) return [heading, el("p", { class: "note" }, "Loading…")];
  if (runs.items.length === 0) return [heading, el("p", { class: "note" }, "No run yet.")];
  return [heading, el("div", { class: "table-wrap" }, el("table", { class: "runs" },
    el("caption", {}, "The last " + runs.items.length + " runs of " + workflow.name + ", newest first"),
    el("colgroup", {}, el("col", { class: "c-commit" }), el("col", { class: "c-when" }), el("col", { class: "c-outcome" }), el("col", { class: "c-duration" })),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Commit"), el("th", { scope: "col" }, "When"),
      el("th", { scope: "col" }, "Outcome"), el("th", { scope: "col", class: "num" }, "Duration"))),
    el("tbody", {}, runs.items.map(run => {
      const start = parseDate(run.startedAt);
      const duration = run.durationSeconds;
      return el("tr", { "data-commit": run.commit.id },
        el("td", {}, commitRef(run.commit)),
        el("td", { class: "when" }, start ? [relativeTime(run.startedAt, now), " ", el("span", { class: "abs" }, formatShort(start))] : none()),
        el("td", {}, badge(run.outcome)),
        el("td", { class: "num" }, duration !== null ? formatDuration(duration)
          : run.outcome === "running" && start ? el("span", { "data-since": run.startedAt }, formatDuration((now - start) / 1000)) : none()));
    }))))];
}

// ---- Metrics ------------------------------------------------------------------------------------------------

function sparkline(metric) {
  const values = (metric.trend || []).filter(value => typeof value === "number" && isFinite(value));
  const width = 96, height = 24, padding = 3;
  const label = metric.task + " " + metric.metric + (values.length
    ? " over the last " + values.length + (values.length === 1 ? " run: " : " runs: from " + formatNumber(values[0]) + " to ") +
      formatNumber(values[values.length - 1]) + ", lowest " + formatNumber(Math.min(...values)) + ", highest " + formatNumber(Math.max(...values))
    : ": no history");
  const chart = svg("svg", { class: "trend", viewBox: "0 0 " + width + " " + height, width, height, role: "img", "aria-label": label },
    svg("title", {}, label));
  if (values.length === 0) return chart;
  const low = Math.min(...values), high = Math.max(...values);
  const x = index => values.length === 1 ? width - padding : padding + index * (width - 2 * padding) / (values.length - 1);
  const y = value => high === low ? height / 2 : height - padding - (value - low) * (height - 2 * padding) / (high - low);
  if (values.length > 1) {
    const points = values.map((value, index) => x(index).toFixed(1) + "," + y(value).toFixed(1)).join(" ");
    chart.append(svg("polyline", { class: "area", points: x(0).toFixed(1) + "," + height + " " + points + " " + x(values.length - 1).toFixed(1) + "," + height }));
    chart.append(svg("polyline", { class: "line", points }));
  }
  chart.append(svg("circle", { class: "last", cx: x(values.length - 1), cy: y(values[values.length - 1]), r: 2.5 }));
  return chart;
}

function renderMetrics(workflow) {
  const heading = el("h3", {}, "Metrics");
  const metrics = Array.isArray(workflow.metrics) ? workflow.metrics : [];
  if (metrics.length === 0) return [heading, el("p", { class: "note" }, "No metrics recorded.")];
  return [heading, el("div", { class: "table-wrap" }, el("table", { class: "metrics" },
    el("caption", {}, "Metrics of " + workflow.name + " at the last run, against the run before"),
    el("colgroup", {}, ["task", "metric", "value", "previous", "change", "trend"].map(name => el("col", { class: "c-" + name }))),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Task"), el("th", { scope: "col" }, "Metric"),
      el("th", { scope: "col", class: "num" }, "Value"), el("th", { scope: "col", class: "num" }, "Previous"),
      el("th", { scope: "col", class: "num" }, "Change"), el("th", { scope: "col" }, "Trend"))),
    el("tbody", {}, metrics.map(metric => {
      const change = typeof metric.change === "number" && isFinite(metric.change) ? metric.change : null;
      const direction = change === null ? null : change > 0 ? "up" : change < 0 ? "down" : "flat";
      return el("tr", {},
        el("td", {}, metric.task),
        el("th", { scope: "row", class: "metric-name" }, metric.metric),
        el("td", { class: "num" }, formatNumber(metric.value) ?? none("no value")),
        el("td", { class: "num" }, formatNumber(metric.previous) ?? none("no previous value")),
        el("td", { class: "num change " + (direction || "") }, change === null ? none("no change")
          : [el("span", { "aria-hidden": "true", class: "arrow" }, direction === "up" ? "▲ " : direction === "down" ? "▼ " : ""), signed(change)]),
        el("td", { class: "trend-cell" }, sparkline(metric)));
    }))))];
}
