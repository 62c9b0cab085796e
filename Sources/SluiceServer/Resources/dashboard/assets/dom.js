// DOM building (el, svg, update), text measuring, and the formatting of phases, times, durations and numbers.
//
// Everything the page shows is put into the DOM with textContent and setAttribute, never parsed as HTML, so a
// workflow name, a commit message, a log or a plan cannot inject markup. No framework, no build step.
"use strict";

let measureContext = null;
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

function commitRef(commit, label) {
  if (!commit) return none(label);
  return el("span", { class: "commit" },
    el("code", { title: commit.id }, shortId(commit.id)),
    commit.message ? el("span", { class: "commit-message", title: commit.message }, commit.message) : null);
}

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

/// Keeps the relative times ("5m ago") and the running durations current between polls.
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
