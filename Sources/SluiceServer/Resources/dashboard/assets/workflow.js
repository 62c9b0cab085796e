// One section per workflow: created once, its parts (head, errors, graph, gantt, runs, metrics, tasks) updated at each poll.
"use strict";

function renderWorkflows(list, now) {
  const workflows = state.workflows;
  const names = new Set(workflows.map(workflow => workflow.name));
  for (const [name, view] of views) {
    if (names.has(name)) continue;
    for (const [key, panel] of state.logs) if (panel.workflow === name) { panel.stop(); state.logs.delete(key); }
    view.section.remove();
    views.delete(name);
  }
  if (workflows.length === 0) {
    update(list, "empty", () => el("p", { class: "empty" },
      "No workflows yet: commit a Workflow manifest to the watched repository, or push to wake the controller."));
    return;
  }
  if (signatures.get(list) === "empty" || signatures.get(list) === "token") {
    list.replaceChildren();
    signatures.delete(list);
  }
  for (const noscript of list.querySelectorAll("noscript")) noscript.remove();
  workflows.forEach((workflow, index) => {
    const view = views.get(workflow.name) || createView(workflow.name);
    if (list.children[index] !== view.section) list.insertBefore(view.section, list.children[index] || null);
    renderWorkflow(view, workflow, now);
  });
}

function createView(name) {
  const headingId = uid("wf");
  const part = (cls, attrs) => el("div", Object.assign({ class: cls }, attrs || {}));
  const view = {
    name,
    headingId,
    arrowId: uid("arrow"),
    head: part("wf-head"),
    errors: part("wf-errors"),
    dag: part("panel dag-panel"),
    gantt: part("panel gantt-panel"),
    runs: part("panel runs-panel"),
    metrics: part("panel metrics-panel"),
    tasks: part("panel tasks-panel"),
    status: part("action-status", { role: "status", "aria-live": "polite" }),
    logs: part("log-panels"),
  };
  view.section = el("section", { class: "workflow", "data-workflow": name, "aria-labelledby": headingId },
    view.head, view.errors,
    el("div", { class: "wf-grid" }, el("div", { class: "wf-main" }, view.dag, view.gantt), el("div", { class: "wf-side" }, view.runs, view.metrics)),
    view.status, view.tasks, view.logs);
  views.set(name, view);
  return view;
}

function renderWorkflow(view, workflow, now) {
  const tasks = Array.isArray(workflow.tasks) ? workflow.tasks : [];
  const nowSecond = Math.floor(now / 1000);
  update(view.head, JSON.stringify([workflow.phase, workflow.suspended, workflow.commit, workflow.observedCommit, workflow.schedule,
    tasks.map(task => task.phase)]), () => renderHead(view, workflow, tasks, now));
  update(view.errors, JSON.stringify(workflow.errors || []), () => renderErrors(workflow.errors));
  update(view.dag, JSON.stringify([tasks, tasks.some(task => task.phase === "running") ? nowSecond : 0]),
    () => renderDag(view, workflow, tasks, now));
  const running = workflow.lastRun && (workflow.lastRun.tasks || []).some(task => !task.endedAt);
  // Drawn at the width of its column, so that its text keeps its size.
  const ganttWidth = Math.max(480, Math.min(1400, Math.round(view.gantt.clientWidth / 20) * 20 || 720));
  update(view.gantt, JSON.stringify([workflow.lastRun, running ? nowSecond : 0, tasks.map(task => task.isService), ganttWidth]),
    () => renderGantt(workflow, now, ganttWidth));
  const runs = state.runs.get(workflow.name);
  update(view.runs, JSON.stringify(runs ? runs.items : null), () => renderRuns(workflow, runs, now));
  update(view.metrics, JSON.stringify(workflow.metrics || []), () => renderMetrics(workflow));
  const tails = tasks.map(task => state.tails.get(logKey(workflow.name, task.name)) || null);
  const logsOpen = tasks.map(task => state.logs.has(logKey(workflow.name, task.name)));
  update(view.tasks, JSON.stringify([tasks.map(task => Object.assign({}, task, { durationSeconds: task.phase === "running" ? null : task.durationSeconds })),
    tails, logsOpen, state.token ? 1 : 0]), () => renderTasks(view, workflow, tasks, now));
  const status = state.status.get(workflow.name);
  update(view.status, status ? status.at + status.text : "", () => status
    ? el("p", { class: "status-" + status.kind }, el("span", { class: "status-time" }, formatClock(new Date(status.at))), " ", status.text)
    : null);
}

function renderHead(view, workflow, tasks, now) {
  const done = tasks.filter(task => task.phase === "succeeded" || task.phase === "cached").length;
  const failed = tasks.filter(task => FAILED.has(task.phase)).length;
  const running = tasks.filter(task => task.phase === "running").length;
  const title = el("div", { class: "wf-title" },
    el("h2", { id: view.headingId }, workflow.name),
    badge(workflow.phase),
    workflow.suspended && workflow.phase !== "suspended" ? badge("suspended") : null);
  const facts = el("dl", { class: "facts" },
    el("div", {}, el("dt", {}, "Commit in force"), el("dd", {}, workflow.commit ? commitRef(workflow.commit) : "none valid yet")));
  if (workflow.observedCommit && (!workflow.commit || workflow.observedCommit.id !== workflow.commit.id)) {
    facts.append(el("div", { class: "synced" }, el("dt", {}, "Synced to"), el("dd", {}, commitRef(workflow.observedCommit),
      el("span", { class: "hint" }, workflow.errors && workflow.errors.length ? " (not in force: see the errors)" : " (not in force yet)"))));
  }
  facts.append(el("div", {}, el("dt", {}, "Tasks"), el("dd", {}, done + " of " + tasks.length + " done" +
    (running ? ", " + running + " running" : "") + (failed ? ", " + failed + " failed" : ""))));
  return [el("div", { class: "wf-head-row" }, title, renderNextRun(workflow, now)), facts];
}

function renderNextRun(workflow, now) {
  const schedule = workflow.schedule;
  if (!schedule) return null;
  const cron = el("span", { class: "cron" }, "cron ", el("code", {}, schedule.cron), " (" + schedule.timezone + ")");
  const next = parseDate(schedule.nextRun);
  if (!next) {
    return el("p", { class: "next-run none-scheduled" }, workflow.suspended ? "Scheduled runs paused (suspended) · " : "No next run · ", cron);
  }
  return el("p", { class: "next-run" },
    el("span", { class: "label" }, "Next run"), " ",
    el("time", { datetime: schedule.nextRun, title: schedule.nextRun }, formatDateTime(next, true)), " ",
    el("span", { class: "rel", "data-rel": schedule.nextRun }, relative(next, now)),
    el("br", {}), cron);
}

function renderErrors(errors) {
  if (!Array.isArray(errors) || errors.length === 0) return null;
  return el("div", { class: "manifest-errors", role: "note" },
    el("h3", {}, errors.length === 1 ? "Manifest error" : errors.length + " manifest errors"),
    el("p", {}, "Fix the manifest and commit; the last good version stays in force until then."),
    el("ul", {}, errors.map(error => el("li", {}, el("code", {}, error)))));
}
