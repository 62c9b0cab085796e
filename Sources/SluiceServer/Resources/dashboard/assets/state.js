// The dashboard's settings and shared state: the first of the scripts in assets/, which index.mustache loads in order.
//
// The scripts are classic (not modules), each "use strict": their top-level functions and constants share the
// page's global scope, so a later file calls what an earlier one declares. Code that runs while a file loads may
// only use what earlier files declare; everything else runs from page.js's start(), once every file has loaded.
"use strict";

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
