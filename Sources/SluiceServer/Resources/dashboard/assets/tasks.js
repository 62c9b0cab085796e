// A workflow's task table (phases, durations, services, failed tails, log and rerun buttons) and the rerun action.
"use strict";

// ---- Tasks --------------------------------------------------------------------------------------------------

function downstreamOf(workflow, name) {
  const found = new Set();
  const queue = [name];
  while (queue.length) {
    const current = queue.shift();
    for (const task of workflow.tasks || []) {
      if ((task.needs || []).includes(current) && !found.has(task.name) && task.name !== name) {
        found.add(task.name);
        queue.push(task.name);
      }
    }
  }
  return [...found];
}

function renderTasks(view, workflow, tasks, now) {
  const heading = el("h3", {}, "Tasks");
  if (tasks.length === 0) return [heading, el("p", { class: "note" }, "No task has run yet.")];
  const canRerun = TOKEN_REQUIRED && Boolean(state.token);
  const titles = ["Task", "Phase", "Duration", "Attempts", "Exit", "Node", "Service", "Notes", "Actions"];
  const classes = ["task", "phase", "duration", "attempts", "exit", "node", "service", "notes", canRerun ? "actions wide" : "actions"];
  const body = el("tbody", {});
  for (const task of tasks) {
    const key = logKey(workflow.name, task.name);
    const start = parseDate(task.startedAt);
    const live = task.phase === "running" && start && task.durationSeconds === null;
    const duration = live ? el("span", { "data-since": task.startedAt }, formatDuration((now - start) / 1000))
      : formatDuration(task.durationSeconds) || (task.phase === "running" && start ? formatDuration((now - start) / 1000) : null);
    const estimate = task.estimateSeconds !== null && task.estimateSeconds !== undefined &&
      (task.phase === "running" || task.phase === "pending") ? el("span", { class: "sub" }, "est. " + formatDuration(task.estimateSeconds)) : null;
    const notes = [
      task.anomaly ? el("span", { class: "anomaly" }, "⚠ " + task.anomaly) : null,
      task.metricsWarning ? el("span", { class: "metrics-warning" }, "metrics: " + task.metricsWarning) : null,
    ].filter(Boolean);
    const logsOpen = state.logs.has(key);
    const dependents = downstreamOf(workflow, task.name);
    const actions = [
      el("button", { type: "button", class: "logs-toggle", "data-task": task.name, "aria-expanded": logsOpen ? "true" : "false",
        "aria-label": (logsOpen ? "Close the live log of " : "Follow the log of ") + task.name,
        onclick: () => toggleLogs(workflow.name, task.name) }, logsOpen ? "Close log" : "Logs"),
    ];
    // A service is kept up, not rerun: the API refuses it, so no button offers it.
    if (canRerun && !task.isService) {
      actions.push(el("button", { type: "button", class: "rerun", "data-task": task.name, "aria-label": "Rerun " + task.name,
        onclick: event => rerun(workflow, task.name, false, event.currentTarget) }, "Rerun"));
      if (dependents.length) {
        actions.push(el("button", { type: "button", class: "rerun-downstream", "data-task": task.name,
          "aria-label": "Rerun " + task.name + " and the " + dependents.length + " tasks downstream",
          title: "Also rerun " + dependents.join(", "), onclick: event => rerun(workflow, task.name, true, event.currentTarget) }, "+ downstream"));
      }
    }
    body.append(el("tr", { class: "task-row", "data-task": task.name },
      el("th", { scope: "row", class: "task-name" },
        el("span", { class: "name" }, task.name),
        task.isService ? el("span", { class: "tag" }, "service") : null,
        task.requestedBy ? el("span", { class: "tag rerun-by", title: "This attempt was asked for by " + task.requestedBy }, "rerun by " + task.requestedBy) : null,
        task.message ? el("span", { class: "sub task-message" }, task.message) : null),
      el("td", {}, badge(task.phase)),
      el("td", { class: "num" }, duration || none("no duration"), estimate),
      el("td", { class: "num" }, task.attempts ?? none()),
      el("td", { class: "num" + (task.exitCode ? " bad" : "") }, task.exitCode ?? none("no exit code")),
      el("td", {}, task.node || none("no node")),
      el("td", {}, renderService(task.service)),
      el("td", {}, notes.length ? notes : none("no notes")),
      el("td", { class: "actions" }, actions)));
    const tail = state.tails.get(key);
    if (FAILED.has(task.phase) && tail && tail.text) {
      const detailsKey = "tail\u0000" + key;
      body.append(el("tr", { class: "detail-row" }, el("td", { colspan: titles.length },
        el("details", { "data-key": detailsKey, open: isOpen(detailsKey, true) },
          el("summary", {}, "Last lines of the log of " + task.name + (task.attempts > 1 ? " (attempt " + task.attempts + ")" : "")),
          el("pre", { class: "tail" }, (tail.cut ? "…\n" : "") + tail.text)))));
    }
  }
  return [heading, el("div", { class: "table-wrap" }, el("table", { class: "tasks" },
    el("caption", {}, "Tasks of " + workflow.name),
    el("colgroup", {}, classes.map(name => el("col", { class: "c-" + name.replace(" ", " c-") }))),
    el("thead", {}, el("tr", {}, titles.map((title, index) =>
      el("th", { scope: "col", class: index >= 2 && index <= 4 ? "num" : null }, title)))),
    body))];
}

function renderService(service) {
  if (!service) return none("not a service");
  return el("span", { class: "service" },
    service.address ? (/^https?:\/\//i.test(service.address)
      ? el("a", { class: "service-address", href: service.address, rel: "noopener noreferrer" }, service.address)
      : el("code", { class: "service-address" }, service.address)) : null,
    el("span", { class: "badge " + (service.healthy ? "health-up" : "health-down") }, service.healthy ? "healthy" : "unhealthy"));
}

// ---- Rerun --------------------------------------------------------------------------------------------------

function setStatus(workflow, text, kind) {
  state.status.set(workflow, { text, kind, at: Date.now() });
  render();
}

async function rerun(workflow, task, downstream, button) {
  const dependents = downstreamOf(workflow, task);
  const question = downstream
    ? "Rerun " + task + " and the " + (dependents.length === 1 ? "task that needs" : dependents.length + " tasks that need") + " it (" +
      dependents.join(", ") + ") in workflow " + workflow.name + "?"
    : "Rerun task " + task + " of workflow " + workflow.name + "? It runs again at the same fingerprint.";
  if (!window.confirm(question)) return;
  if (button) button.disabled = true;
  setStatus(workflow.name, "Asking for a rerun of " + task + (downstream ? " and downstream" : "") + "…", "pending");
  try {
    const response = await api(taskPath(workflow.name, task) + "/rerun" + (downstream ? "?downstream=true" : ""), { method: "POST" });
    if (response.status === 202) {
      let item = null;
      try { item = (await response.json()).item; } catch (_) { /* the answer's body is a bonus */ }
      const names = item && Array.isArray(item.tasks) && item.tasks.length ? item.tasks.join(", ") : task;
      setStatus(workflow.name, "Rerun asked for: " + names + (item && item.requestedBy ? " (by " + item.requestedBy + ")" : "") + ".", "ok");
      schedule(300);
    } else {
      const error = await failure(response);
      setStatus(workflow.name, "Rerun of " + task + " refused: " + (error.detail || "the server answered " + response.status) + ".", "error");
    }
  } catch (error) {
    setStatus(workflow.name, "Rerun of " + task + " failed: " + message(error) + ".", "error");
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}
