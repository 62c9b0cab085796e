// The live log panels: a task's log followed over server-sent events, read with fetch.
"use strict";

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
