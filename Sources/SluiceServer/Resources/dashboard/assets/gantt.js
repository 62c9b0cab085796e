// The gantt chart of a workflow's last run, drawn as SVG.
"use strict";

function niceStep(seconds) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400, 172800, 604800];
  return steps.find(step => seconds / step <= 7) || 604800;
}
function axisLabel(seconds) {
  if (seconds === 0) return "0";
  if (seconds < 60) return seconds + "s";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m" + (seconds % 60 ? " " + (seconds % 60) + "s" : "");
  if (seconds < 86400) return Math.floor(seconds / 3600) + "h" + (seconds % 3600 ? " " + Math.floor(seconds % 3600 / 60) + "m" : "");
  return Math.floor(seconds / 86400) + "d" + (seconds % 86400 ? " " + Math.floor(seconds % 86400 / 3600) + "h" : "");
}

function renderGantt(workflow, now, width) {
  const heading = el("h3", {}, "Last run");
  const run = workflow.lastRun;
  if (!run) return [heading, el("p", { class: "note" }, "No run yet.")];
  const services = new Set((workflow.tasks || []).filter(task => task.isService).map(task => task.name));
  const runStart = parseDate(run.startedAt);
  const runEnd = parseDate(run.endedAt);
  const attempts = (run.tasks || []).map(task => {
    const start = parseDate(task.startedAt);
    if (!start) return null;
    const end = parseDate(task.endedAt);
    return { task, start, end, service: services.has(task.name) };
  }).filter(Boolean);
  const runDuration = run.durationSeconds ?? (runStart ? ((runEnd || now) - runStart) / 1000 : null);
  const meta = el("p", { class: "run-meta" }, badge(run.outcome), " ", commitRef(run.commit), " · ",
    runStart ? el("time", { datetime: run.startedAt, title: formatDateTime(runStart, true), "data-rel": run.startedAt }, relative(runStart, now)) : null,
    runDuration !== null ? [" · ", run.outcome === "running" ? "running for " : "took ", el("span", run.outcome === "running" && runStart
      ? { "data-since": run.startedAt } : {}, formatDuration(runDuration))] : null);
  if (attempts.length === 0) return [heading, meta, el("p", { class: "note" }, "No task of this run has started.")];
  const origin = Math.min(runStart ? runStart.getTime() : Infinity, ...attempts.map(item => item.start.getTime()));
  // Open bars (no end yet) reach now while the run goes on; a service outlives its run, so after the run it is
  // drawn to the end of the chart and said to go on.
  const batchOpen = attempts.some(item => !item.end && !item.service);
  let last = Math.max(...attempts.map(item => (item.end || item.start).getTime()), runEnd ? runEnd.getTime() : 0);
  if (batchOpen || (!runEnd && run.outcome === "running") || attempts.every(item => item.service && !item.end)) last = Math.max(last, now.getTime());
  const spanMs = Math.max(last - origin, 1000);
  const rows = [];
  const rowOf = new Map();
  for (const item of [...attempts].sort((a, b) => a.start - b.start)) {
    if (!rowOf.has(item.task.name)) { rowOf.set(item.task.name, rows.length); rows.push({ name: item.task.name, items: [] }); }
    rows[rowOf.get(item.task.name)].items.push(item);
  }
  const nameFont = "600 12px system-ui, sans-serif";
  const labelWidth = Math.min(190, Math.max(90, ...rows.map(row => textWidth(row.name, nameFont) + 20)));
  const right = 150, top = 24, rowHeight = 26;
  const plot = width - labelWidth - right;
  const scale = plot / spanMs;
  const height = top + rows.length * rowHeight + 8;
  const chart = svg("svg", { class: "gantt", viewBox: "0 0 " + width + " " + height, role: "img",
    "aria-label": "Gantt chart of the last run of " + workflow.name + ": " + rows.map(row => {
      const item = row.items[row.items.length - 1];
      return row.name + " " + phaseText(item.task.phase) + (row.items.length > 1 ? " after " + row.items.length + " attempts" : "");
    }).join("; ") });
  const axis = svg("g", { class: "axis" });
  const step = niceStep(spanMs / 1000);
  for (let t = 0; t * 1000 <= spanMs; t += step) {
    const x = labelWidth + t * 1000 * scale;
    axis.append(svg("line", { x1: x, x2: x, y1: top - 4, y2: height - 4 }),
      svg("text", { x, y: top - 9, "text-anchor": t === 0 ? "start" : "middle" }, axisLabel(t)));
  }
  chart.append(axis);
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    chart.append(svg("rect", { class: "lane", x: labelWidth, y: y + 2, width: plot, height: rowHeight - 4, rx: 3 }));
    chart.append(svg("text", { class: "label", x: labelWidth - 8, y: y + rowHeight / 2 + 4, "text-anchor": "end" },
      fit(row.name, nameFont, labelWidth - 14)));
    let reach = labelWidth;
    for (const item of row.items) {
      const open = !item.end;
      const endMs = open ? (item.service && runEnd && !batchOpen ? last : now.getTime()) : item.end.getTime();
      const x = labelWidth + (item.start - origin) * scale;
      const barWidth = Math.max(Math.min(endMs, last) - item.start, 0) * scale;
      const drawn = Math.max(barWidth, 3);
      const seconds = Math.max(endMs - item.start, 0) / 1000;
      const phase = item.task.phase;
      chart.append(svg("rect", { class: "gantt-bar phase-" + phase + (open ? " open" : ""), "data-task": item.task.name,
        "data-attempt": item.task.attempt, x, y: y + 6, width: drawn, height: rowHeight - 12, rx: 2 },
        svg("title", {}, item.task.name + ", attempt " + item.task.attempt + ": " + phaseText(phase) + ", " + formatClock(item.start) + " → " +
          (open ? "now" : formatClock(item.end)) + " (" + formatDuration(seconds) + ")" + (item.task.node ? " on " + item.task.node : ""))));
      reach = x + drawn;
    }
    const final = row.items[row.items.length - 1];
    const finalSeconds = ((final.end ? final.end.getTime() : now.getTime()) - final.start) / 1000;
    chart.append(svg("text", { class: "bar-text", x: Math.min(reach + 6, width - right + 6), y: y + rowHeight / 2 + 4 },
      (final.service && !final.end ? "service · up " : "") + formatDuration(finalSeconds) +
      (final.service && !final.end ? "" : " · " + phaseText(final.task.phase)) + (row.items.length > 1 ? " · " + row.items.length + " attempts" : "")));
  });
  if (!runEnd || batchOpen) {
    const x = labelWidth + (now.getTime() - origin) * scale;
    if (x <= labelWidth + plot + 0.5) chart.append(svg("line", { class: "now", x1: x, x2: x, y1: top - 4, y2: height - 4 }));
  }
  const missing = (workflow.tasks || []).filter(task => !rowOf.has(task.name)).map(task => task.name);
  return [heading, meta, el("div", { class: "gantt-wrap" }, chart),
    missing.length ? el("p", { class: "note" }, "Not in this run: " + missing.join(", ") + ".") : null];
}
