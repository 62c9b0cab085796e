// The task graph: a layered layout of the workflow's DAG, drawn as SVG.
"use strict";

/// Layers left to right (a task's layer is the longest path to it from a root), ordered within a layer by the
/// mean position of the tasks around it, a few sweeps each way, to cut crossings.
function layoutDag(tasks) {
  const byName = new Map(tasks.map((task, index) => [task.name, { task, index, layer: 0, order: 0, preds: [], succs: [] }]));
  for (const node of byName.values()) {
    for (const need of new Set(node.task.needs || [])) {
      const from = byName.get(need);
      if (!from || from === node) continue;
      node.preds.push(from);
      from.succs.push(node);
    }
  }
  const depth = new Map(), visiting = new Set();
  const layerOf = node => {
    if (depth.has(node)) return depth.get(node);
    if (visiting.has(node)) return 0; // a cycle: the manifest is invalid; draw it anyway
    visiting.add(node);
    let layer = 0;
    for (const pred of node.preds) layer = Math.max(layer, layerOf(pred) + 1);
    visiting.delete(node);
    depth.set(node, layer);
    return layer;
  };
  const layers = [];
  for (const node of byName.values()) {
    node.layer = layerOf(node);
    (layers[node.layer] = layers[node.layer] || []).push(node);
  }
  for (const layer of layers) layer.forEach((node, order) => { node.order = order; });
  const mean = nodes => nodes.length ? nodes.reduce((sum, node) => sum + node.order, 0) / nodes.length : null;
  for (let sweep = 0; sweep < 4; sweep += 1) {
    const down = sweep % 2 === 0;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const keyed = layer.map(node => ({ node, key: mean(down ? node.preds : node.succs) ?? node.order }));
      keyed.sort((a, b) => a.key - b.key || a.node.order - b.node.order);
      keyed.forEach((item, order) => { item.node.order = order; });
      layer.sort((a, b) => a.order - b.order);
    }
  }
  return { byName, layers };
}

function taskDuration(task, now) {
  const start = parseDate(task.startedAt);
  return task.phase === "running" && start ? formatDuration((now - start) / 1000) : formatDuration(task.durationSeconds);
}
function nodeSubtitle(task, now) {
  if (task.isService) return "service · " + (task.service ? (task.service.healthy ? "healthy" : "unhealthy") : phaseText(task.phase));
  const duration = taskDuration(task, now);
  return phaseText(task.phase) + (duration ? " · " + duration : "");
}

function renderDag(view, workflow, tasks, now) {
  const heading = el("h3", {}, "Task graph");
  if (tasks.length === 0) return [heading, el("p", { class: "note" }, "No tasks.")];
  const { byName, layers } = layoutDag(tasks);
  const nameFont = "600 13px system-ui, sans-serif", subFont = "11px system-ui, sans-serif";
  const nodeHeight = 46, gapX = 44, gapY = 14, padX = 8, padY = 10, maxWidth = 220, minWidth = 104;
  for (const node of byName.values()) node.sub = nodeSubtitle(node.task, now);
  const columns = layers.map(layer => Math.min(maxWidth, Math.max(minWidth,
    ...layer.map(node => Math.max(textWidth(node.task.name, nameFont) + (node.task.isService ? 44 : 30), textWidth(node.sub, subFont) + 26)))));
  const tallest = Math.max(...layers.map(layer => layer.length));
  const height = padY * 2 + tallest * nodeHeight + (tallest - 1) * gapY;
  let x = padX;
  layers.forEach((layer, index) => {
    const span = layer.length * nodeHeight + (layer.length - 1) * gapY;
    const top = (height - span) / 2;
    for (const node of layer) {
      node.x = x;
      node.width = columns[index];
      node.y = top + node.order * (nodeHeight + gapY);
    }
    x += columns[index] + gapX;
  });
  const width = x - gapX + padX + 4;
  const edges = [];
  for (const node of byName.values()) {
    for (const pred of node.preds) {
      const x1 = pred.x + pred.width, y1 = pred.y + nodeHeight / 2, x2 = node.x - 1, y2 = node.y + nodeHeight / 2;
      const bend = Math.max(20, (x2 - x1) / 2);
      edges.push(svg("path", { class: "dag-edge phase-" + pred.task.phase, "data-from": pred.task.name, "data-to": node.task.name,
        d: "M" + x1 + " " + y1 + " C" + (x1 + bend) + " " + y1 + " " + (x2 - bend) + " " + y2 + " " + x2 + " " + y2,
        "marker-end": "url(#" + view.arrowId + ")" }));
    }
  }
  const nodes = [...byName.values()].sort((a, b) => a.index - b.index).map(node => {
    const task = node.task;
    const duration = taskDuration(task, now);
    const missing = (task.needs || []).filter(need => !byName.has(need));
    const tip = [task.name + ": " + phaseText(task.phase) + (duration ? ", " + duration : ""),
      task.isService ? "service" + (task.service ? " at " + task.service.address : "") : null,
      task.needs && task.needs.length ? "needs " + task.needs.join(", ") : "a root: needs nothing",
      missing.length ? "unknown needs: " + missing.join(", ") : null,
      task.node ? "on " + task.node : null,
      task.attempts > 1 ? task.attempts + " attempts" : null].filter(Boolean).join("\n");
    return svg("g", { class: "dag-node phase-" + task.phase + (task.isService ? " service" : ""), "data-task": task.name,
      transform: "translate(" + node.x + " " + node.y + ")" },
      svg("title", {}, tip),
      svg("rect", { class: "node", width: node.width, height: nodeHeight, rx: 8 }),
      svg("rect", { class: "accent", x: 0, y: 0, width: 5, height: nodeHeight, rx: 2 }),
      task.isService ? svg("circle", { class: "health " + (task.service && task.service.healthy ? "up" : "down"),
        cx: node.width - 12, cy: 12, r: 4 }) : null,
      svg("text", { class: "name", x: 14, y: 20 }, fit(task.name, nameFont, node.width - (task.isService ? 42 : 24))),
      svg("text", { class: "sub", x: 14, y: 36 }, fit(node.sub, subFont, node.width - 20)));
  });
  const description = tasks.map(task => task.name + " " + phaseText(task.phase) +
    (task.needs && task.needs.length ? " after " + task.needs.join(" and ") : "")).join("; ");
  const chart = svg("svg", { class: "dag", viewBox: "0 0 " + width + " " + height, width, height, role: "img",
    "aria-label": "Task graph of " + workflow.name + ", " + layers.length + (layers.length === 1 ? " layer" : " layers") + ": " + description },
    svg("defs", {}, svg("marker", { id: view.arrowId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse", markerUnits: "strokeWidth" }, svg("path", { class: "arrow", d: "M0 1 L9 5 L0 9 z" }))),
    svg("g", { class: "edges" }, edges), svg("g", { class: "nodes" }, nodes));
  return [heading, el("div", { class: "dag-scroll" }, chart)];
}
