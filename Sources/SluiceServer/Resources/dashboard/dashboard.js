// The Sluice dashboard: polls api/v1/workflows (and, less often, the run history and the branch plans) and renders it.
//
// Everything the page shows is put into the DOM with textContent and setAttribute, never parsed as HTML, so a
// workflow name, a commit message, a log or a plan cannot inject markup. No framework, no build step.
//
// Fragment parameters (all optional, in the URL after #, as in a query string):
//   token=…          the API bearer token: stored in sessionStorage, then removed from the address bar
//   workflow=NAME    scroll to that workflow (the links of notifications and commit statuses)
//   logs=WF/TASK     open the live log of that task once it is on the page
"use strict";

(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const TOKEN_KEY = "sluice.apiToken";
  const TOKEN_REQUIRED = document.body.dataset.tokenRequired === "true";
  const REFRESH_MS = Math.max(1, Number(document.body.dataset.refreshSeconds) || 2) * 1000;
  const RUNS_MS = 15000;
  const PLANS_MS = 15000;
  const RUNS_LIMIT = 10;
  const LOG_MAX_CHARS = 1000000;
  const TAIL_LINES = 12;
  const PHASE_TEXT = { timedOut: "timed out" };
  const FAILED = new Set(["failed", "timedOut"]);

  const state = {
    token: null,
    workflows: null,
    updatedAt: null,
    errors: new Map(), // source → { what, message }
    plans: null,
    plansAt: 0,
    runs: new Map(), // workflow → { key, at, items }
    tails: new Map(), // "wf␀task" → { key, text }
    open: new Map(), // details key → open
    logs: new Map(), // "wf␀task" → log panel
    status: new Map(), // workflow → { text, kind, at }
    tokenProblem: null,
    fragment: {}, // what the URL fragment asks for and was not done yet: { workflow, logs }
  };
  const views = new Map(); // workflow name → its section and parts
  const signatures = new WeakMap();
  let measureContext = null;
  let timer = null;
  let idCounter = 0;

  // ---- DOM helpers -------------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    return build(document.createElement(tag), attrs, children);
  }
  function svg(tag, attrs, ...children) {
    return build(document.createElementNS(SVG_NS, tag), attrs, children);
  }
  function build(node, attrs, children) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  /// Rebuilds `container` only when `signature` changed, so that focus, selection and open details survive polls.
  function update(container, signature, make) {
    if (signatures.get(container) === signature) return false;
    rememberOpenDetails(container);
    const content = make();
    signatures.set(container, signature);
    container.replaceChildren(...[content].flat(Infinity).filter(node => node !== null && node !== undefined && node !== false));
    return true;
  }
  function rememberOpenDetails(root) {
    for (const details of root.querySelectorAll("details[data-key]")) state.open.set(details.dataset.key, details.open);
  }
  function isOpen(key, byDefault) {
    return state.open.has(key) ? state.open.get(key) : byDefault;
  }
  function uid(prefix) {
    idCounter += 1;
    return prefix + "-" + idCounter;
  }
  function logKey(workflow, task) {
    return workflow + "\u0000" + task;
  }

  // ---- Formatting ---------------------------------------------------------------------------------------------

  function phaseText(phase) { return PHASE_TEXT[phase] || phase || "unknown"; }
  function badge(phase, text) { return el("span", { class: "badge phase-" + (phase || "unknown") }, text || phaseText(phase)); }
  function none(label) { return el("span", { class: "none", "aria-label": label || "none" }, "—"); }
  function message(error) { return error instanceof Error ? error.message : String(error); }
  function shortId(id) { return id ? id.slice(0, 7) : ""; }
  function pad(number) { return String(number).padStart(2, "0"); }

  function parseDate(text) {
    if (!text) return null;
    const date = new Date(text);
    return isNaN(date.getTime()) ? null : date;
  }
  /// A duration in seconds, as people read it: 850 ms, 4.2 s, 38 s, 3m 05s, 2h 07m, 3d 4h.
  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return null;
    if (seconds < 0) seconds = 0;
    if (seconds < 1) return Math.round(seconds * 1000) + " ms";
    if (seconds < 60) return (seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)) + " s";
    const total = Math.round(seconds);
    const d = Math.floor(total / 86400), h = Math.floor(total % 86400 / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + pad(m) + "m";
    return m + "m " + pad(s) + "s";
  }
  /// A coarse span for relative times: 40s, 12m, 3h 12m, 2d 5h.
  function formatSpan(ms) {
    const total = Math.round(Math.abs(ms) / 1000);
    const d = Math.floor(total / 86400), h = Math.floor(total % 86400 / 3600), m = Math.floor(total % 3600 / 60);
    if (d > 0) return d + "d" + (h ? " " + h + "h" : "");
    if (h > 0) return h + "h" + (m ? " " + m + "m" : "");
    if (m > 0) return m + "m";
    return total + "s";
  }
  function relative(date, now) {
    if (!date) return "";
    const ms = date - now;
    if (Math.abs(ms) < 5000) return "now";
    return ms > 0 ? "in " + formatSpan(ms) : formatSpan(ms) + " ago";
  }
  function formatClock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  function formatDateTime(date, withZone) {
    const options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    if (withZone) options.timeZoneName = "short";
    return date.toLocaleString([], options);
  }
  function formatShort(date) {
    return date.toLocaleString([], { month: "short", day: "numeric" }) + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function formatNumber(value) {
    if (value === null || value === undefined || !isFinite(value)) return null;
    if (Number.isInteger(value) && Math.abs(value) < 1e9) return value.toLocaleString("en-US");
    const abs = Math.abs(value);
    if (abs >= 1e6 || (abs > 0 && abs < 1e-3)) return value.toExponential(2);
    if (abs >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 1 });
    return String(Number(value.toPrecision(4)));
  }
  function signed(value) {
    const text = formatNumber(Math.abs(value));
    if (value > 0) return "+" + text;
    if (value < 0) return "\u2212" + text;
    return "±0";
  }
  /// A `<time>` whose text is relative ("in 3h 12m", "5m ago") and kept current by tick().
  function relativeTime(iso, now) {
    const date = parseDate(iso);
    if (!date) return none();
    return el("time", { datetime: iso, title: formatDateTime(date, true), "data-rel": iso }, relative(date, now));
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  class HTTPError extends Error {
    constructor(status, detail) {
      super("the server answered " + status + (detail ? ": " + detail : ""));
      this.status = status;
      this.detail = detail;
    }
  }

  async function api(path, options) {
    const headers = new Headers((options && options.headers) || {});
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    if (state.token) headers.set("Authorization", "Bearer " + state.token);
    const response = await fetch(path, Object.assign({ cache: "no-store" }, options || {}, { headers }));
    if (response.status === 401) tokenRefused();
    return response;
  }
  async function failure(response) {
    let detail = "";
    try {
      const body = await response.json();
      if (body && typeof body.error === "string") detail = body.error;
    } catch (_) { /* not JSON */ }
    return new HTTPError(response.status, detail);
  }
  async function getJSON(path) {
    const response = await api(path);
    if (!response.ok) throw await failure(response);
    let body;
    try { body = await response.json(); } catch (_) { throw new Error("the answer is not JSON"); }
    if (!body || !Array.isArray(body.items)) throw new Error("the answer has no list of items");
    return body.items;
  }
  function workflowPath(name) {
    return "api/v1/workflows/" + encodeURIComponent(name);
  }
  function taskPath(workflow, task) {
    return workflowPath(workflow) + "/tasks/" + encodeURIComponent(task);
  }

  // ---- Token --------------------------------------------------------------------------------------------------

  function loadToken() {
    try { state.token = sessionStorage.getItem(TOKEN_KEY) || null; } catch (_) { state.token = null; }
  }
  function storeToken(token) {
    state.token = token || null;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) { /* storage disabled: the token lives as long as the page */ }
  }
  function tokenRefused() {
    if (!state.token && !TOKEN_REQUIRED) {
      state.tokenProblem = "The API asks for a token.";
    } else if (state.token) {
      state.tokenProblem = "The server refused the token (401). Enter the right one.";
    }
    storeToken(null);
    for (const panel of state.logs.values()) panel.stop();
  }
  function needsToken() {
    return (TOKEN_REQUIRED || state.tokenProblem) && !state.token;
  }
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

  function readFragment() {
    const hash = location.hash.replace(/^#/, "");
    if (!hash || !hash.includes("=")) return {};
    const params = new URLSearchParams(hash);
    const fragment = { workflow: params.get("workflow"), logs: params.get("logs") };
    if (params.has("token")) {
      const token = (params.get("token") || "").trim();
      if (token) storeToken(token);
      params.delete("token");
      const rest = params.toString();
      history.replaceState(history.state, "", location.pathname + location.search + (rest ? "#" + rest : ""));
    }
    return fragment;
  }
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

  // ---- Branch plans -------------------------------------------------------------------------------------------

  function renderPlans() {
    const section = document.getElementById("plans");
    const plans = Array.isArray(state.plans) ? state.plans : [];
    section.hidden = plans.length === 0;
    update(document.getElementById("plans-list"), JSON.stringify(plans), () => plans.map(plan => {
      const key = "plan\u0000" + plan.branch;
      return el("details", { class: "plan", "data-branch": plan.branch, "data-key": key, open: isOpen(key, false) },
        el("summary", {}, el("code", { class: "branch" }, plan.branch), el("span", { class: "plan-title" }, planTitle(plan.markdown))),
        el("div", { class: "markdown" }, renderMarkdown(plan.markdown || "")));
    }));
  }
  function planTitle(markdown) {
    for (const line of String(markdown || "").split("\n")) {
      const text = line.replace(/^#+\s*/, "").replace(/[*`_]/g, "").trim();
      if (text && !/^[-|:\s]+$/.test(text)) return text.length > 110 ? text.slice(0, 109) + "…" : text;
    }
    return "";
  }

  /// A small markdown subset straight to DOM: headings, paragraphs, lists, tables, fenced code, quotes, rules,
  /// and inline code, bold, italics and http(s) links. Never HTML: everything lands in textContent.
  function renderMarkdown(text) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    const blocks = [];
    const isTableRule = line => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
    const listItem = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
    const startsBlock = (line, next) => /^\s*(#{1,6}\s|```|~~~|>)/.test(line) || listItem.test(line) ||
      (line.includes("|") && next !== undefined && isTableRule(next));
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^\s*$/.test(line)) { i += 1; continue; }
      let match;
      if ((match = /^\s*(```|~~~)(.*)$/.exec(line))) {
        const fence = match[1];
        const code = [];
        i += 1;
        while (i < lines.length && !lines[i].trim().startsWith(fence)) { code.push(lines[i]); i += 1; }
        i += 1;
        blocks.push(el("pre", { class: "md-code" }, el("code", {}, code.join("\n"))));
      } else if ((match = /^\s*(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
        blocks.push(el("h" + Math.min(6, match[1].length + 2), {}, inline(match[2])));
        i += 1;
      } else if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
        blocks.push(el("hr", {}));
        i += 1;
      } else if (line.includes("|") && i + 1 < lines.length && isTableRule(lines[i + 1])) {
        const cells = row => row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map(cell => cell.trim().replace(/\\\|/g, "|"));
        const head = cells(line);
        const aligns = cells(lines[i + 1]).map(rule => rule.endsWith(":") ? (rule.startsWith(":") ? "center" : "right") : null);
        i += 2;
        const rows = [];
        while (i < lines.length && lines[i].includes("|") && !/^\s*$/.test(lines[i])) { rows.push(cells(lines[i])); i += 1; }
        blocks.push(el("div", { class: "table-wrap" }, el("table", { class: "md-table" },
          el("thead", {}, el("tr", {}, head.map((cell, n) => el("th", { scope: "col", class: aligns[n] ? "align-" + aligns[n] : null }, inline(cell))))),
          el("tbody", {}, rows.map(row => el("tr", {}, head.map((_, n) =>
            el("td", { class: aligns[n] ? "align-" + aligns[n] : null }, inline(row[n] || "")))))))));
      } else if (listItem.test(line)) {
        const ordered = /^\s*\d/.test(line);
        const items = [];
        while (i < lines.length && (match = listItem.exec(lines[i]))) {
          const depth = Math.min(3, Math.floor(match[1].replace(/\t/g, "  ").length / 2));
          let content = match[3];
          i += 1;
          while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !listItem.test(lines[i])) { content += " " + lines[i].trim(); i += 1; }
          const task = /^\[([ xX])\]\s+(.*)$/.exec(content);
          items.push(el("li", { class: depth ? "depth-" + depth : null },
            task ? [el("span", { class: "check", "aria-label": task[1] === " " ? "to do" : "done" }, task[1] === " " ? "☐ " : "☑ "), inline(task[2])] : inline(content)));
        }
        blocks.push(el(ordered ? "ol" : "ul", {}, items));
      } else if (/^\s*>/.test(line)) {
        const quote = [];
        while (i < lines.length && /^\s*>/.test(lines[i])) { quote.push(lines[i].replace(/^\s*>\s?/, "")); i += 1; }
        blocks.push(el("blockquote", {}, inline(quote.join(" "))));
      } else {
        const paragraph = [line.trim()];
        i += 1;
        while (i < lines.length && !/^\s*$/.test(lines[i]) && !startsBlock(lines[i], lines[i + 1])) { paragraph.push(lines[i].trim()); i += 1; }
        blocks.push(el("p", {}, inline(paragraph.join(" "))));
      }
    }
    return blocks;
  }
  function inline(text) {
    const out = [];
    const pattern = /(`+)([\s\S]+?)\1|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|\*([^*\s][^*]*)\*/g;
    let last = 0, match;
    while ((match = pattern.exec(text))) {
      if (match.index > last) out.push(text.slice(last, match.index));
      if (match[1]) out.push(el("code", {}, match[2].trim()));
      else if (match[3] !== undefined) out.push(el("strong", {}, inline(match[3])));
      else if (match[4] !== undefined) {
        const href = match[5];
        out.push(/^(https?:|mailto:)/i.test(href) ? el("a", { href, rel: "noopener noreferrer" }, inline(match[4])) : inline(match[4]));
      } else if (match[6] !== undefined) out.push(el("em", {}, inline(match[6])));
      last = pattern.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  // ---- Workflows ----------------------------------------------------------------------------------------------

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

  function commitRef(commit, label) {
    if (!commit) return none(label);
    return el("span", { class: "commit" },
      el("code", { title: commit.id }, shortId(commit.id)),
      commit.message ? el("span", { class: "commit-message", title: commit.message }, commit.message) : null);
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

  // ---- DAG ----------------------------------------------------------------------------------------------------

  function textWidth(text, font) {
    if (!measureContext) {
      try { measureContext = document.createElement("canvas").getContext("2d"); } catch (_) { measureContext = null; }
    }
    if (!measureContext) return text.length * 7.6;
    measureContext.font = font;
    return measureContext.measureText(text).width;
  }
  function fit(text, font, width) {
    if (textWidth(text, font) <= width) return text;
    let cut = text;
    while (cut.length > 1 && textWidth(cut + "…", font) > width) cut = cut.slice(0, -1);
    return cut + "…";
  }

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

  // ---- Gantt --------------------------------------------------------------------------------------------------

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

  // ---- Live logs ----------------------------------------------------------------------------------------------

  /// Server-sent events framing (fetch, not EventSource, which cannot send an Authorization header): fields up to
  /// a blank line make an event; several `data:` lines join with "\n"; lines starting with ":" are comments.
  function eventStreamParser(onEvent) {
    let buffer = "", type = "", data = [], stopped = false;
    const line = text => {
      if (text === "") {
        if (type || data.length) {
          const event = { type: type || "message", data: data.join("\n") };
          type = "";
          data = [];
          if (onEvent(event) === false) stopped = true;
        }
        return;
      }
      if (text[0] === ":") return;
      const colon = text.indexOf(":");
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? "" : text.slice(colon + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    };
    return {
      get stopped() { return stopped; },
      push(chunk) {
        buffer += chunk;
        let start = 0;
        while (!stopped) {
          const cr = buffer.indexOf("\r", start), lf = buffer.indexOf("\n", start);
          let end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
          if (end < 0) break;
          let next = end + 1;
          if (buffer[end] === "\r") {
            if (end + 1 === buffer.length) break; // a "\r\n" may be split across chunks
            if (buffer[end + 1] === "\n") next = end + 2;
          }
          line(buffer.slice(start, end));
          start = next;
        }
        buffer = buffer.slice(start);
      },
    };
  }

  function toggleLogs(workflow, task) {
    const key = logKey(workflow, task);
    if (state.logs.has(key)) closeLogs(workflow, task);
    else openLogs(workflow, task, true);
  }

  function closeLogs(workflow, task) {
    const key = logKey(workflow, task);
    const panel = state.logs.get(key);
    if (!panel) return;
    panel.stop();
    panel.closed = true;
    panel.element.remove();
    state.logs.delete(key);
    render();
    const view = views.get(workflow);
    const toggle = view && [...view.tasks.querySelectorAll("button.logs-toggle")].find(button => button.dataset.task === task);
    if (toggle) toggle.focus();
  }

  function openLogs(workflow, task, reveal) {
    const key = logKey(workflow, task);
    const view = views.get(workflow);
    if (!view || state.logs.has(key)) return;
    const headingId = uid("log");
    const stateText = el("span", { class: "log-state", role: "status" }, "connecting…");
    const text = document.createTextNode("");
    const pre = el("pre", { class: "log", "data-task": task, tabindex: "0", "aria-labelledby": headingId }, text);
    const panel = {
      workflow, task, pre, text, controller: null, generation: 0, closed: false,
      element: null,
      setState(value, kind) {
        stateText.textContent = value;
        stateText.className = "log-state " + (kind || "");
      },
      append(chunk) {
        if (!chunk) return;
        const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
        text.appendData(chunk);
        if (text.length > LOG_MAX_CHARS) {
          text.deleteData(0, text.length - Math.floor(LOG_MAX_CHARS * 0.8));
          panel.setState("following live (earlier lines cut)", "live");
        }
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      },
      stop() {
        panel.generation += 1;
        if (panel.controller) panel.controller.abort();
        panel.controller = null;
      },
      restart() {
        panel.stop();
        text.deleteData(0, text.length);
        followLogs(panel);
      },
    };
    panel.element = el("div", { class: "log-panel", "data-task": task },
      el("div", { class: "log-head" },
        el("h3", { id: headingId }, "Log of ", el("code", {}, task)), stateText,
        el("span", { class: "log-buttons" },
          el("button", { type: "button", onclick: () => panel.restart() }, "Restart"),
          el("button", { type: "button", onclick: () => closeLogs(workflow, task), "aria-label": "Close the log of " + task }, "Close"))),
      pre);
    state.logs.set(key, panel);
    view.logs.append(panel.element);
    render();
    if (reveal) panel.element.scrollIntoView({ block: "nearest" });
    followLogs(panel);
  }

  async function followLogs(panel) {
    const controller = new AbortController();
    panel.controller = controller;
    const generation = panel.generation;
    panel.setState("connecting…", "");
    let ended = false, endNote = "";
    try {
      const response = await api(taskPath(panel.workflow, panel.task) + "/logs/stream",
        { headers: { Accept: "text/event-stream" }, signal: controller.signal });
      if (!response.ok) {
        const error = await failure(response);
        if (response.status === 404) {
          // Not started yet, most likely: follow it once it has a log.
          panel.setState("no log yet (" + (error.detail || "not found") + "); trying again every 3 s", "waiting");
          setTimeout(() => {
            if (!panel.closed && panel.generation === generation && panel.controller === null) followLogs(panel);
          }, 3000);
        } else {
          panel.setState(error.message, "error");
        }
        return;
      }
      panel.setState("following live", "live");
      const parser = eventStreamParser(event => {
        if (event.type === "end") {
          ended = true;
          endNote = event.data;
          return false;
        }
        if (event.type === "log" || event.type === "message") panel.append(event.data);
        return true;
      });
      if (!response.body || !response.body.getReader) {
        parser.push(await response.text());
        parser.push("\n\n");
      } else {
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        while (!parser.stopped) {
          const { value, done } = await reader.read();
          if (done) { parser.push(decoder.decode() + "\n\n"); break; }
          parser.push(decoder.decode(value, { stream: true }));
        }
        if (parser.stopped) reader.cancel().catch(() => {});
      }
    } catch (error) {
      if (controller.signal.aborted) {
        if (panel.controller === null) panel.setState("stopped", "");
        return;
      }
      panel.setState("the stream broke: " + message(error), "error");
      return;
    } finally {
      if (panel.controller === controller) panel.controller = null;
    }
    if (ended) {
      panel.setState("attempt ended" + (endNote && endNote.trim() ? ": " + endNote.trim() : ""), "ended");
      controller.abort();
    } else {
      panel.setState("the server closed the stream", "closed");
    }
  }

  // ---- Time ---------------------------------------------------------------------------------------------------

  function tick(now) {
    for (const node of document.querySelectorAll("[data-rel]")) {
      const text = relative(parseDate(node.getAttribute("data-rel")), now);
      if (node.textContent !== text) node.textContent = text;
    }
    for (const node of document.querySelectorAll("[data-since]")) {
      const start = parseDate(node.getAttribute("data-since"));
      const text = start ? formatDuration((now - start) / 1000) : "";
      if (node.textContent !== text) node.textContent = text;
    }
  }

  // ---- Start --------------------------------------------------------------------------------------------------

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
})();
