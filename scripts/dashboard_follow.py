#!/usr/bin/env python3
"""The --follow mode of scripts/dashboard-check.sh, which runs this file: a task's live log, in Chromium over DevTools.

  EXPECT_LOG=TEXT python3 dashboard_follow.py PAGE_URL WORKFLOW TASK TIMEOUT LOG_FILE CHROMIUM_COMMAND…

Opens PAGE_URL (which asks for the log with #logs=WORKFLOW/TASK) in CHROMIUM_COMMAND driven over the DevTools
protocol on a pipe, polls its DOM in real time and exits 0 once the task's pre.log shows EXPECT_LOG, or 1 after
TIMEOUT seconds, saying why on stderr; chromium's own output goes to LOG_FILE.
"""
import fcntl, json, os, select, subprocess, sys, time

from dashboard_check import parse


class Browser:
    """Chromium driven over the DevTools protocol on a pipe (fds 3 and 4, messages ending with NUL)."""

    def __init__(self, command, log):
        to_browser, self.commands = os.pipe()
        self.answers, from_browser = os.pipe()

        def child():
            commands = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)
            answers = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(command + ["--remote-debugging-pipe", "about:blank"], preexec_fn=child,
                                        close_fds=False, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        os.close(to_browser)
        os.close(from_browser)
        self.buffer, self.next_id, self.session = b"", 0, None

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.next_id:
                    if "error" in answer:
                        raise RuntimeError(method + ": " + answer["error"].get("message", str(answer["error"])))
                    return answer.get("result", {})
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer " + method)
            ready, _, _ = select.select([self.answers], [], [], left)
            if ready:
                chunk = os.read(self.answers, 1 << 16)
                if not chunk:
                    raise EOFError("chromium exited")
                self.buffer += chunk

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"})
        self.session = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})

    def dom(self):
        result = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True})
        return result.get("result", {}).get("value") or ""

    def close(self):
        try:
            self.session = None
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def follow(page_url, workflow, task, expected, timeout, command, log_path):
    with open(log_path, "w") as log:
        browser = Browser(command, log)
        text, state, banner, sections, logs, asks_token = "", "", "", [], [], False
        try:
            browser.open(page_url)
            deadline = time.time() + timeout
            while time.time() < deadline:
                time.sleep(0.5)
                page = parse(browser.dom())
                banner = " ".join(" ".join(node.text().split()) for node in page.find(data_sluice_error=True))
                sections = page.find("section", "workflow", data_workflow=workflow)
                logs = [pre for section in sections for pre in section.find("pre", "log", data_task=task)]
                panels = [panel for section in sections for panel in section.find(cls="log-panel", data_task=task)]
                states = [node for panel in panels for node in panel.find(cls="log-state")]
                asks_token = bool(page.find("form", "token-form"))
                text = logs[0].text() if logs else ""
                state = " ".join(states[0].text().split()) if states else ""
                if expected in text:
                    print("dashboard-check: ok: the live log of %s/%s shows %r (%s)" % (workflow, task, expected, state or "open"))
                    return 0
        except Exception as error:  # chromium died or never answered
            print("dashboard-check: the browser failed: %s; the end of its log:" % error, file=sys.stderr)
            with open(log_path, errors="replace") as handle:
                lines = [line for line in handle if "dbus" not in line.lower()]
            sys.stderr.write("".join(lines[-20:]))
            return 1
        finally:
            browser.close()
    if asks_token:
        print("dashboard-check: the page asks for the API token" + ("" if "token=" in page_url else " (give TOKEN_FILE)"), file=sys.stderr)
    if not sections:
        print("dashboard-check: workflow '%s' is not on the page" % workflow, file=sys.stderr)
    elif not logs:
        print("dashboard-check: no pre.log[data-task=%s] in workflow '%s' (the page did not open its log)" % (task, workflow), file=sys.stderr)
    else:
        tail = text[-300:].replace("\n", "\\n")
        print("dashboard-check: after %ss the log of %s/%s does not show %r; panel says %r; its end: %s" %
              (timeout, workflow, task, expected, state, tail or "(empty)"), file=sys.stderr)
    if banner:
        print("dashboard-check: the page shows an error banner: " + banner, file=sys.stderr)
    return 1


if __name__ == "__main__":
    page_url, workflow, task, timeout, log_path = sys.argv[1:6]
    sys.exit(follow(page_url, workflow, task, os.environ["EXPECT_LOG"], float(timeout), sys.argv[6:], log_path))
