// The page: polling the API, rendering it all, the error banner, the token form, the URL fragment's asks, and startup.
//
// The Sluice dashboard polls api/v1/workflows (and, less often, the run history and the branch plans) and renders it.
"use strict";

let timer = null;

// ---- Polling ------------------------------------------------------------------------------------------------

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(poll, ms);
}
async function poll() {
  // A hidden tab keeps what it has and asks again once it is shown.
  if (document.hidden && state.workflows) return;
  try { await refresh(); } finally { schedule(REFRESH_MS); }
}
function runsKey(workflow) {
  const run = workflow.lastRun;
  return [workflow.commit && workflow.commit.id, workflow.phase, run && run.startedAt, run && run.endedAt, run && run.outcome].join("|");
}

async function refresh() {
  if (needsToken()) { render(); return; }
  try {
    state.workflows = await getJSON("api/v1/workflows");
    state.updatedAt = new Date();
    state.errors.delete("workflows");
  } catch (error) {
    state.errors.set("workflows", { what: "the workflows (api/v1/workflows)", message: message(error) });
  }
  render();
  if (needsToken()) return;
  const now = Date.now();
  const jobs = [];
  if (now - state.plansAt >= PLANS_MS || state.errors.has("plans")) jobs.push(refreshPlans());
  const names = new Set();
  for (const workflow of state.workflows || []) {
    names.add(workflow.name);
    const known = state.runs.get(workflow.name);
    if (!known || known.key !== runsKey(workflow) || now - known.at >= RUNS_MS || state.errors.has("runs\u0000" + workflow.name)) {
      jobs.push(refreshRuns(workflow.name, runsKey(workflow)));
    }
    for (const task of workflow.tasks || []) {
      if (!FAILED.has(task.phase)) continue;
      const key = [task.attempts, task.endedAt, task.fingerprint].join("|");
      const tail = state.tails.get(logKey(workflow.name, task.name));
      if (!tail || tail.key !== key) jobs.push(refreshTail(workflow.name, task.name, key));
    }
  }
  for (const name of state.runs.keys()) if (!names.has(name)) state.runs.delete(name);
  for (const source of state.errors.keys()) {
    if (source.startsWith("runs\u0000") && !names.has(source.slice(5))) state.errors.delete(source);
  }
  if (jobs.length) {
    await Promise.all(jobs);
    render();
  }
}
async function refreshPlans() {
  try {
    state.plans = await getJSON("api/v1/plans");
    state.errors.delete("plans");
  } catch (error) {
    state.errors.set("plans", { what: "the branch plans (api/v1/plans)", message: message(error) });
  }
  state.plansAt = Date.now();
}
async function refreshRuns(name, key) {
  const source = "runs\u0000" + name;
  try {
    const items = await getJSON(workflowPath(name) + "/runs?limit=" + RUNS_LIMIT);
    state.runs.set(name, { key, at: Date.now(), items });
    state.errors.delete(source);
  } catch (error) {
    const known = state.runs.get(name);
    if (known) known.at = Date.now();
    state.errors.set(source, { what: "the runs of " + name, message: message(error) });
  }
}
async function refreshTail(workflow, task, key) {
  // The end of a failed task's log: what the reader came for. A missing log is no error worth a banner.
  try {
    const response = await api(taskPath(workflow, task) + "/logs", { headers: { Accept: "text/plain" } });
    const text = response.ok ? await response.text() : "";
    const lines = text.replace(/\s+$/, "").split("\n");
    state.tails.set(logKey(workflow, task), { key, text: lines.slice(-TAIL_LINES).join("\n"), cut: lines.length > TAIL_LINES });
  } catch (_) {
    state.tails.set(logKey(workflow, task), { key, text: "" });
  }
}

// ---- Page ---------------------------------------------------------------------------------------------------

/// Renders; an answer the page cannot show (not as the OpenAPI document says) becomes an error banner.
function render() {
  try {
    renderPage();
    if (state.errors.delete("render")) renderBanner();
  } catch (error) {
    state.errors.set("render", { title: "Could not show the data", what: "the page", message: message(error) });
    try { renderBanner(); } catch (_) { /* nothing more to do */ }
    if (window.console) console.error(error);
  }
}

function renderPage() {
  const now = new Date();
  renderToken();
  renderBanner();
  const updated = document.getElementById("updated");
  updated.textContent = state.updatedAt ? "Updated " + formatClock(state.updatedAt) : needsToken() ? "Waiting for the API token" : "Loading workflows…";
  updated.classList.toggle("stale", state.errors.has("workflows"));
  const list = document.getElementById("workflows");
  if (!state.workflows) {
    if (needsToken()) {
      update(list, "token", () => el("p", { class: "empty" }, "Enter the API token above to see the workflows."));
      list.setAttribute("aria-busy", "false");
    }
    return;
  }
  list.setAttribute("aria-busy", "false");
  document.getElementById("summary").textContent = summarize(state.workflows);
  renderPlans();
  renderWorkflows(list, now);
  tick(now);
  arrive();
}

function renderBanner() {
  const slot = document.getElementById("banner-slot");
  const errors = [...state.errors.values()];
  // Rebuilt (and announced) only when the errors change, not at every poll.
  const stale = state.errors.has("workflows") && state.updatedAt;
  const signature = errors.map(error => error.what + ": " + error.message).join("\n") + "|" + (stale ? state.updatedAt.getTime() : "");
  update(slot, errors.length ? signature + (needsToken() ? "|token" : "") : "", () => {
    if (!errors.length) return null;
    const seconds = REFRESH_MS / 1000;
    return el("div", { class: "banner", role: "alert", "data-sluice-error": true },
      el("strong", {}, errors.length === 1 ? errors[0].title || "Could not load " + errors[0].what : "Could not load or show some of the data"),
      " ",
      errors.length === 1 ? el("span", {}, errors[0].message + ".")
        : el("ul", {}, errors.map(error => el("li", {}, error.what + ": " + error.message))),
      el("span", { class: "banner-note" }, (stale ? " Showing the data of " + formatClock(state.updatedAt) + "; " : " ") +
        (needsToken() ? "enter the API token to retry." : "retrying every " + seconds + " s.")));
  });
}

function summarize(workflows) {
  const counts = {};
  for (const workflow of workflows) counts[workflow.phase] = (counts[workflow.phase] || 0) + 1;
  const parts = Object.keys(counts).sort().map(phase => counts[phase] + " " + phaseText(phase));
  return workflows.length + (workflows.length === 1 ? " workflow" : " workflows") + (parts.length ? ": " + parts.join(", ") : "");
}

// ---- Token form ---------------------------------------------------------------------------------------------

function renderToken() {
  const slot = document.getElementById("token-slot");
  const ask = needsToken();
  update(slot, ask ? "ask\u0000" + (state.tokenProblem || "") : "", () => {
    if (!ask) return null;
    const input = el("input", { id: "token-input", name: "token", type: "password", autocomplete: "off", spellcheck: "false",
      required: true, "aria-describedby": "token-help" });
    const form = el("form", { class: "token-form", "aria-labelledby": "token-title" },
      el("h2", { id: "token-title" }, "API token"),
      state.tokenProblem ? el("p", { class: "token-problem", role: "alert" }, state.tokenProblem) : null,
      el("p", { id: "token-help", class: "section-note" },
        "This controller runs with --api-token-file: paste the token from that file. It is kept in this browser tab only."),
      el("div", { class: "token-row" },
        el("label", { for: "token-input" }, "Token"), input,
        el("button", { type: "submit", class: "primary" }, "Use token")));
    form.addEventListener("submit", event => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      storeToken(token);
      state.tokenProblem = null;
      schedule(0);
    });
    setTimeout(() => input.focus(), 0);
    return form;
  });
  update(document.getElementById("token-status"), state.token ? "has" : "", () => {
    if (!state.token) return null;
    return el("button", { type: "button", class: "link-button", onclick: () => {
      storeToken(null);
      state.tokenProblem = null;
      for (const panel of state.logs.values()) panel.stop();
      render();
    } }, "Forget the API token");
  });
}

// ---- Fragment -----------------------------------------------------------------------------------------------

/// Does what the fragment asks for once its workflow is on the page (it may show up a few polls later).
function arrive() {
  if (!state.workflows) return;
  const fragment = state.fragment;
  const scrollTo = fragment.workflow && views.has(fragment.workflow);
  if (scrollTo) {
    for (const other of document.querySelectorAll("section.workflow.highlight")) other.classList.remove("highlight");
    const section = views.get(fragment.workflow).section;
    section.classList.add("highlight");
    section.scrollIntoView({ block: "start" });
    fragment.workflow = null;
  }
  if (fragment.logs) {
    const slash = fragment.logs.indexOf("/");
    if (slash <= 0) {
      fragment.logs = null;
    } else if (views.has(fragment.logs.slice(0, slash))) {
      openLogs(fragment.logs.slice(0, slash), fragment.logs.slice(slash + 1), !scrollTo);
      fragment.logs = null;
    }
  }
}

// ---- Start --------------------------------------------------------------------------------------------------

function start() {
  loadToken();
  state.fragment = readFragment();
  document.addEventListener("visibilitychange", () => { if (!document.hidden) schedule(0); });
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (state.workflows) render(); }, 150);
  });
  window.addEventListener("hashchange", () => {
    state.fragment = readFragment();
    if (state.token) state.tokenProblem = null;
    schedule(0);
  });
  poll();
}

start();
