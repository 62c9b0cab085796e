// The API: the fetch wrapper that sends the bearer token, its errors, the API paths, the token and the URL fragment.
"use strict";

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

// ---- Fragment -----------------------------------------------------------------------------------------------

// Fragment parameters (all optional, in the URL after #, as in a query string):
//   token=…          the API bearer token: stored in sessionStorage, then removed from the address bar
//   workflow=NAME    scroll to that workflow (the links of notifications and commit statuses)
//   logs=WF/TASK     open the live log of that task once it is on the page
// The token is never put in a URL's query, nor sent anywhere but in the Authorization header ("Bearer <token>").
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
