extension DashboardPage {
    /// Polls `api/v1/workflows` every 2 s and renders it; on a failed fetch it keeps the last data and shows why.
    static let script = #"""
        "use strict";
        const REFRESH_MS = 2000;
        const PHASE_TEXT = { timedOut: "timed out" };
        const SVG_NS = "http://www.w3.org/2000/svg";
        // `open` keeps what the reader opened or closed of the log tails across re-renders (key → open).
        const state = { data: null, error: null, updatedAt: null, open: new Map() };

        function el(tag, attrs, ...children) {
          return build(document.createElement(tag), attrs, children);
        }
        function svg(tag, attrs, ...children) {
          return build(document.createElementNS(SVG_NS, tag), attrs, children);
        }
        function build(node, attrs, children) {
          for (const [key, value] of Object.entries(attrs || {})) {
            if (value === null || value === undefined || value === false) continue;
            if (key === "class") node.setAttribute("class", value);
            else node.setAttribute(key, value === true ? "" : String(value));
          }
          for (const child of children.flat()) {
            if (child === null || child === undefined || child === false) continue;
            node.append(child instanceof Node ? child : String(child));
          }
          return node;
        }

        function phaseText(phase) { return PHASE_TEXT[phase] || phase || "unknown"; }
        function badge(phase) { return el("span", { class: "badge phase-" + phase }, phaseText(phase)); }
        function none(label) { return el("span", { class: "none", "aria-label": label || "none" }, "—"); }

        function formatDuration(ms) {
          if (ms === null || ms === undefined || !isFinite(ms)) return null;
          if (ms < 1000) return Math.round(ms) + " ms";
          const s = ms / 1000;
          if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + " s";
          const total = Math.round(s), h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), sec = total % 60;
          if (h > 0) return h + "h " + String(m).padStart(2, "0") + "m";
          return m + "m " + String(sec).padStart(2, "0") + "s";
        }
        function formatClock(date) {
          return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
        }
        function parseDate(text) {
          if (!text) return null;
          const date = new Date(text);
          return isNaN(date.getTime()) ? null : date;
        }
        function taskDuration(task, now) {
          if (task.durationMilliseconds !== null && task.durationMilliseconds !== undefined) return task.durationMilliseconds;
          const start = parseDate(task.startedAt);
          if (!start) return null;
          const end = parseDate(task.endedAt) || (task.phase === "running" ? now : null);
          return end ? end - start : null;
        }

        async function refresh() {
          try {
            const response = await fetch("api/v1/workflows", { cache: "no-store", headers: { Accept: "application/json" } });
            if (!response.ok) {
              let detail = "";
              try { detail = (await response.json()).error || ""; } catch (_) { /* not JSON */ }
              throw new Error("the server answered " + response.status + (detail ? ": " + detail : ""));
            }
            const data = await response.json();
            if (!Array.isArray(data)) throw new Error("the answer is not a list of workflows");
            state.data = data;
            state.error = null;
            state.updatedAt = new Date();
          } catch (error) {
            state.error = error instanceof Error ? error.message : String(error);
          }
          render();
        }

        function loop() {
          refresh().finally(() => setTimeout(loop, REFRESH_MS));
        }

        function render() {
          const now = new Date();
          rememberOpenDetails();
          const slot = document.getElementById("banner-slot");
          slot.replaceChildren();
          if (state.error) {
            slot.append(el("div", { class: "banner", role: "alert", "data-sluice-error": true },
              el("strong", {}, "Could not load the workflows from api/v1/workflows"),
              state.error + ". " + (state.data ? "Showing the data of " + formatClock(state.updatedAt) + "; " : "") +
              "retrying every " + REFRESH_MS / 1000 + " s."));
          }
          const updated = document.getElementById("updated");
          updated.textContent = state.updatedAt ? "Last updated " + formatClock(state.updatedAt) : "Not loaded yet";
          updated.classList.toggle("stale", Boolean(state.error));
          const main = document.getElementById("workflows");
          main.setAttribute("aria-busy", "false");
          if (!state.data) return;
          document.getElementById("summary").textContent = summarize(state.data);
          if (state.data.length === 0) {
            main.replaceChildren(el("p", { class: "empty" },
              "No workflows yet: commit a Workflow manifest to the watched repository, or push to wake the controller."));
            return;
          }
          main.replaceChildren(...state.data.map(workflow => renderWorkflow(workflow, now)));
        }

        function summarize(workflows) {
          const counts = {};
          for (const workflow of workflows) counts[workflow.phase] = (counts[workflow.phase] || 0) + 1;
          const parts = Object.keys(counts).sort().map(phase => counts[phase] + " " + phaseText(phase));
          return workflows.length + (workflows.length === 1 ? " workflow" : " workflows") + (parts.length ? ": " + parts.join(", ") : "");
        }

        function rememberOpenDetails() {
          for (const details of document.querySelectorAll("details[data-key]")) {
            state.open.set(details.dataset.key, details.open);
          }
        }

        function renderWorkflow(workflow, now) {
          const tasks = Array.isArray(workflow.tasks) ? workflow.tasks : [];
          const headingId = "wf-" + workflow.name.replace(/[^A-Za-z0-9_-]/g, "_");
          const done = tasks.filter(t => t.phase === "succeeded" || t.phase === "cached").length;
          const failed = tasks.filter(t => t.phase === "failed" || t.phase === "timedOut").length;
          const facts = el("dl", { class: "facts" },
            el("div", {}, el("dt", {}, "Commit"),
              el("dd", {}, workflow.commit ? el("code", { title: workflow.commit }, workflow.commit.slice(0, 7)) : "none valid yet")),
            el("div", {}, el("dt", {}, "Tasks"),
              el("dd", {}, done + " of " + tasks.length + " done" + (failed ? ", " + failed + " failed" : ""))));
          const plan = workflow.planned;
          if (plan) {
            facts.append(el("div", {}, el("dt", {}, "Plan"),
              el("dd", {}, "makespan " + formatDuration(plan.makespan * 1000) + ", at most " + Math.round((plan.gap || 0) * 100) +
                "% above optimal (bound " + formatDuration(plan.lowerBound * 1000) + "), cost " + Number(plan.cost || 0).toFixed(2) +
                " on pool " + plan.pool)));
          }
          return el("section", { class: "workflow", "aria-labelledby": headingId },
            el("div", { class: "wf-head" }, el("h2", { id: headingId }, workflow.name), badge(workflow.phase)),
            facts,
            renderErrors(workflow.errors),
            tasks.length ? renderTable(workflow, tasks, now) : el("p", { class: "none" }, "No task has run yet."),
            tasks.length ? renderGantt(workflow, tasks, now) : null);
        }

        function renderErrors(errors) {
          if (!Array.isArray(errors) || errors.length === 0) return null;
          return el("div", { class: "manifest-errors", role: "note" },
            el("h3", {}, errors.length === 1 ? "Manifest error" : errors.length + " manifest errors"),
            el("p", {}, "Fix the manifest and commit; the last good version stays in force until then."),
            el("ul", {}, errors.map(error => el("li", {}, el("code", {}, error)))));
        }

        function renderTable(workflow, tasks, now) {
          const columns = el("colgroup", {}, ["task", "phase", "duration", "attempts", "exit", "node", "service", "anomaly"]
            .map(name => el("col", { class: "c-" + name })));
          const head = el("thead", {}, el("tr", {},
            ["Task", "Phase", "Duration", "Attempts", "Exit code", "Node", "Service", "Anomaly"].map((title, index) =>
              el("th", { scope: "col", class: index === 2 || index === 3 || index === 4 ? "num" : null }, title))));
          const body = el("tbody", {});
          for (const task of tasks) {
            const logURL = "api/v1/workflows/" + encodeURIComponent(workflow.name) + "/tasks/" + encodeURIComponent(task.name) + "/logs";
            const duration = formatDuration(taskDuration(task, now));
            body.append(el("tr", { class: "task-row" },
              el("th", { scope: "row", class: "task-name", title: "fingerprint " + (task.fingerprint || "") },
                task.name, task.isService ? el("span", { class: "tag" }, "service") : null,
                el("a", { href: logURL, "aria-label": "log of " + task.name }, "log"),
                task.message ? el("span", { class: "task-sub" }, task.message) : null),
              el("td", {}, badge(task.phase)),
              el("td", { class: "num" }, duration || none("no duration")),
              el("td", { class: "num" }, task.attempts ?? none()),
              el("td", { class: "num" }, task.exitCode ?? none("no exit code")),
              el("td", {}, task.node || none("no node")),
              el("td", {}, renderService(task.service)),
              el("td", {}, task.anomaly ? el("span", { class: "anomaly" }, "⚠ " + task.anomaly) : none("no anomaly"))));
            if (task.logTail) {
              const key = workflow.name + "/" + task.name;
              body.append(el("tr", { class: "detail-row" }, el("td", { colspan: 8 },
                // A failure's log tail starts open: it is what the reader came for.
                el("details", { "data-key": key, open: state.open.has(key) ? state.open.get(key) : true },
                  el("summary", {}, "Last lines of the log of " + task.name),
                  el("pre", {}, task.logTail)))));
            }
          }
          return el("div", { class: "table-wrap" },
            el("table", {}, el("caption", {}, "Tasks of " + workflow.name), columns, head, body));
        }

        function renderService(service) {
          if (!service) return none("not a service");
          return el("span", {}, service.address ? el("a", { class: "service-address", href: service.address }, service.address) : null,
            el("span", { class: "badge " + (service.healthy ? "health-up" : "health-down") }, service.healthy ? "healthy" : "unhealthy"));
        }

        // The last run: tasks whose intervals chain together with gaps under five minutes, ending with the latest start.
        function lastRun(tasks, now) {
          const timed = tasks.map(task => {
            const start = parseDate(task.startedAt);
            if (!start) return null;
            let end = parseDate(task.endedAt) || (task.phase === "running" ? now : start);
            if (end < start) end = start;
            return { task, start, end };
          }).filter(Boolean).sort((a, b) => a.start - b.start);
          if (timed.length === 0) return [];
          let run = [timed[0]], reach = timed[0].end;
          for (const item of timed.slice(1)) {
            if (item.start - reach > 5 * 60 * 1000) run = [];
            run.push(item);
            if (item.end > reach) reach = item.end;
          }
          return run;
        }

        function niceStep(seconds) {
          const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
          return steps.find(step => seconds / step <= 8) || 86400;
        }

        function renderGantt(workflow, tasks, now) {
          const run = lastRun(tasks, now);
          const figure = el("figure", { class: "gantt" }, el("figcaption", {}, "Last run"));
          if (run.length === 0) {
            figure.append(el("p", { class: "note" }, "No task has started at its current fingerprint yet."));
            return figure;
          }
          const origin = run[0].start.getTime();
          const planned = new Map();
          for (const item of (workflow.planned && workflow.planned.tasks) || []) {
            if (item.workflow === workflow.name) planned.set(item.task, item);
          }
          let spanMs = Math.max(...run.map(item => item.end - origin), 1);
          for (const item of run) {
            const plan = planned.get(item.task.name);
            if (plan) spanMs = Math.max(spanMs, plan.end * 1000);
          }
          const width = 1000, labelWidth = 170, right = 220, top = 26, rowHeight = 30;
          const scale = (width - labelWidth - right) / spanMs;
          const height = top + run.length * rowHeight + 6;
          const description = run.map(item => item.task.name + " " + phaseText(item.task.phase) + " " +
            formatDuration(item.end - item.start)).join("; ");
          const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img",
            "aria-label": "Gantt chart of the last run of " + workflow.name + ": " + description });
          const axis = svg("g", { class: "axis" });
          const step = niceStep(spanMs / 1000);
          for (let t = 0; t * 1000 <= spanMs; t += step) {
            const x = labelWidth + t * 1000 * scale;
            axis.append(svg("line", { x1: x, x2: x, y1: top - 6, y2: height - 4 }),
              svg("text", { x: x, y: top - 10, "text-anchor": "middle" }, t === 0 ? "0" : formatDuration(t * 1000).replace(" 00s", "").replace(" ", "")));
          }
          chart.append(axis);
          run.forEach((item, index) => {
            const y = top + index * rowHeight;
            const phase = item.task.phase;
            chart.append(svg("rect", { class: "lane", x: labelWidth, y: y + 2, width: width - labelWidth - right, height: rowHeight - 4, rx: 3 }));
            chart.append(svg("text", { class: "label", x: labelWidth - 10, y: y + rowHeight / 2 + 4, "text-anchor": "end" }, item.task.name));
            const plan = planned.get(item.task.name);
            if (plan) {
              chart.append(svg("rect", { class: "bar planned", x: labelWidth + plan.start * 1000 * scale, y: y + 5,
                width: Math.max((plan.end - plan.start) * 1000 * scale, 2), height: rowHeight - 10, rx: 3 },
                svg("title", {}, item.task.name + ": planned " + formatDuration((plan.end - plan.start) * 1000) + " from +" +
                  formatDuration(plan.start * 1000) + (plan.node ? " on " + plan.node : ""))));
            }
            const x = labelWidth + (item.start - origin) * scale;
            const barWidth = Math.max((item.end - item.start) * scale, 3);
            const duration = formatDuration(item.end - item.start);
            chart.append(svg("rect", { class: "bar phase-" + phase, x: x, y: y + 8, width: barWidth, height: rowHeight - 16, rx: 2 },
              svg("title", {}, item.task.name + ": " + phaseText(phase) + ", " + formatClock(item.start) + " → " +
                (phase === "running" ? "now" : formatClock(item.end)) + " (" + duration + ")" + (item.task.node ? " on " + item.task.node : ""))));
            chart.append(svg("text", { class: "bar-text" + (item.task.anomaly ? " warn" : ""), x: x + barWidth + 6, y: y + rowHeight / 2 + 4 },
              duration + " · " + phaseText(phase) + (item.task.anomaly ? " · ⚠ overdue" : "")));
          });
          figure.append(chart);
          const left = tasks.filter(task => !run.some(item => item.task === task));
          const legend = el("div", { class: "legend" },
            el("span", {}, ["--ok", "--fail", "--run"].map(colour => el("i", { style: "background: var(" + colour + ")" })),
              "actual run, coloured by phase (named after each bar)"));
          if (planned.size) legend.append(el("span", {}, el("i", { class: "planned" }), "planned by the optimizer"));
          figure.append(legend);
          if (left.length) {
            figure.append(el("p", { class: "note" }, "Not in this run: " +
              left.map(task => task.name + " (" + phaseText(task.phase) + ")").join(", ") + "."));
          }
          return figure;
        }

        loop();
        """#
}
