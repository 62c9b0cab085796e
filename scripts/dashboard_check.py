#!/usr/bin/env python3
"""The DOM checks of scripts/dashboard-check.sh, which runs this file; read that script's header for what it checks.

  python3 dashboard_check.py names WORKFLOWS_JSON            index and URL-encoded name of each workflow, one a line
  python3 dashboard_check.py check DOM BEFORE AFTER TOKEN    the page's DOM against the API answers (TOKEN is 1 or 0)
  python3 dashboard_check.py quote TEXT                      TEXT URL-encoded, for a URL fragment or path
  python3 dashboard_check.py token TOKEN_FILE                the token in TOKEN_FILE, trimmed

The DOM is parsed with html.parser, so that attribute order and quoting do not matter. BEFORE and AFTER are folders
of API answers (workflows.json, plans.json, runs/INDEX.json) read before and after the page loaded; AFTER may be
missing. check prints one line per problem on stderr and exits 1 if there is one; otherwise it prints the ok line.
"""
import json, os, sys, urllib.parse
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find(self, tag=None, cls=None, **attrs):
        """Descendants with that tag, class and attributes (data_task= matches data-task)."""
        wanted = {key.replace("_", "-"): value for key, value in attrs.items()}

        def matches(node):
            if (tag is not None and node.tag != tag) or (cls is not None and cls not in node.classes):
                return False
            return all(key in node.attrs and (value is True or node.attrs[key] == value) for key, value in wanted.items())

        return [node for node in self.walk() if matches(node)]

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {key: (value if value is not None else "") for key, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {key: (value if value is not None else "") for key, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def items(body, kind, where):
    if not isinstance(body, dict) or body.get("apiVersion") != "sluice/v1" or body.get("kind") != kind or not isinstance(body.get("items"), list):
        raise ValueError(where + " is not a sluice/v1 " + kind + " (apiVersion, kind, items)")
    return body["items"]


def names(workflows_path):
    """Index and URL-encoded name of each workflow, for the shell to read their runs."""
    for index, workflow in enumerate(items(load(workflows_path), "WorkflowList", "api/v1/workflows")):
        print(str(index) + "\t" + urllib.parse.quote(workflow["name"], safe=""))


def snapshot(directory):
    workflows = items(load(os.path.join(directory, "workflows.json")), "WorkflowList", "api/v1/workflows")
    runs = {}
    for index, workflow in enumerate(workflows):
        path = os.path.join(directory, "runs", str(index) + ".json")
        runs[workflow["name"]] = items(load(path), "RunList", "the runs of " + workflow["name"]) if os.path.exists(path) else None
    plans_path = os.path.join(directory, "plans.json")
    plans = items(load(plans_path), "PlanList", "api/v1/plans") if os.path.exists(plans_path) else None
    return {workflow["name"]: workflow for workflow in workflows}, runs, plans


def check_workflow(page, workflow, runs, token_given):
    problems = []
    name = workflow["name"]
    sections = page.find("section", "workflow", data_workflow=name)
    if not sections:
        return ["workflow '%s' is not on the page (no section.workflow[data-workflow])" % name]
    if len(sections) > 1:
        problems.append("workflow '%s' is on the page %d times" % (name, len(sections)))
    section = sections[0]
    if not any(h2.text().strip() == name for h2 in section.find("h2")):
        problems.append("workflow '%s': no <h2>%s</h2> in its section" % (name, name))

    tasks = workflow.get("tasks") or []
    dags = section.find("svg", "dag")
    if not dags:
        problems.append("workflow '%s': no svg.dag (task graph)" % name)
    else:
        nodes = [node for dag in dags for node in dag.find("g", "dag-node")]
        for task in tasks:
            found = [node for node in nodes if node.attrs.get("data-task") == task["name"]]
            if len(found) != 1:
                problems.append("workflow '%s': task '%s' has %d dag-node(s) in svg.dag, not 1" % (name, task["name"], len(found)))
            elif "phase-" + task["phase"] not in found[0].classes:
                phases = [cls for cls in found[0].classes if cls.startswith("phase-")]
                problems.append("workflow '%s': dag-node of '%s' is %s, the API says phase-%s" % (name, task["name"], " ".join(phases) or "without a phase class", task["phase"]))
        known = {task["name"] for task in tasks}
        for node in nodes:
            if node.attrs.get("data-task") not in known:
                problems.append("workflow '%s': dag-node '%s' is no task of the API" % (name, node.attrs.get("data-task")))

    last = workflow.get("lastRun")
    if last is not None:
        gantts = section.find("svg", "gantt")
        attempts = last.get("tasks") or []
        if not gantts:
            problems.append("workflow '%s': lastRun is not null but there is no svg.gantt" % name)
        else:
            bars = [bar for gantt in gantts for bar in gantt.find("rect", "gantt-bar")]
            in_run = {attempt["name"] for attempt in attempts}
            if attempts and not bars:
                problems.append("workflow '%s': svg.gantt has no rect.gantt-bar" % name)
            elif len(bars) != len(attempts):
                problems.append("workflow '%s': svg.gantt has %d bars for the %d attempts of lastRun.tasks" % (name, len(bars), len(attempts)))
            for bar in bars:
                if bar.attrs.get("data-task") not in in_run:
                    problems.append("workflow '%s': gantt bar for '%s', which is not in lastRun.tasks" % (name, bar.attrs.get("data-task")))
                elif not any(cls.startswith("phase-") for cls in bar.classes):
                    problems.append("workflow '%s': gantt bar of '%s' has no phase-… class" % (name, bar.attrs.get("data-task")))

    if runs is None:
        problems.append("workflow '%s': could not read its runs (GET …/runs?limit=10)" % name)
    elif runs:
        tables = section.find("table", "runs")
        if not tables:
            problems.append("workflow '%s': has %d runs but no table.runs" % (name, len(runs)))
        else:
            rows = {row.attrs.get("data-commit") for table in tables for row in table.find("tr") if "data-commit" in row.attrs}
            for run in runs:
                if run["commit"]["id"] not in rows:
                    problems.append("workflow '%s': table.runs has no tr[data-commit=%s]" % (name, run["commit"]["id"]))

    schedule = workflow.get("schedule")
    if schedule and schedule.get("nextRun"):
        times = [time_ for p in section.find("p", "next-run") for time_ in p.find("time") if "datetime" in time_.attrs]
        if not times:
            problems.append("workflow '%s': schedule.nextRun is %s but there is no p.next-run time[datetime]" % (name, schedule["nextRun"]))
        elif not any(time_.attrs["datetime"] == schedule["nextRun"] for time_ in times):
            problems.append("workflow '%s': p.next-run time[datetime] is %s, the API says %s" % (name, times[0].attrs["datetime"], schedule["nextRun"]))

    metrics = workflow.get("metrics") or []
    if metrics:
        if not section.find("table", "metrics"):
            problems.append("workflow '%s': has %d metrics but no table.metrics" % (name, len(metrics)))
        elif len(section.find("svg", "trend")) < len(metrics):
            problems.append("workflow '%s': %d metrics but %d svg.trend sparklines" % (name, len(metrics), len(section.find("svg", "trend"))))

    buttons = section.find("button", "rerun")
    if token_given:
        for task in tasks:
            has_button = any(button.attrs.get("data-task") == task["name"] for button in buttons)
            if task.get("isService") and has_button:
                problems.append("workflow '%s': service '%s' has a button.rerun, but services are kept up, not rerun" % (name, task["name"]))
            elif not task.get("isService") and not has_button:
                problems.append("workflow '%s': a token is given but task '%s' has no button.rerun" % (name, task["name"]))
    return problems


def check(dom_path, before_dir, after_dir, token_given):
    with open(dom_path, encoding="utf-8", errors="replace") as handle:
        page = parse(handle.read())
    problems = []
    snapshots = [snapshot(before_dir)]
    if os.path.exists(os.path.join(after_dir, "workflows.json")):
        snapshots.append(snapshot(after_dir))

    if not page.find(id="workflows"):
        return ["the page is not the Sluice dashboard (no #workflows)"]
    for banner in page.find(data_sluice_error=True):
        problems.append("the page shows an error banner: " + " ".join(banner.text().split()))
    if page.find("form", "token-form"):
        problems.append("the page asks for the API token" + ("" if token_given else " (give TOKEN_FILE)"))

    names_everywhere = [name for name in snapshots[0][0] if all(name in snap[0] for snap in snapshots)]
    for name in names_everywhere:
        # A workflow passes when the page matches the API before or after it loaded.
        results = [check_workflow(page, snap[0][name], snap[1].get(name), token_given) for snap in snapshots]
        if not all(results):
            continue
        problems.extend(results[-1])
    on_page = {section.attrs.get("data-workflow") for section in page.find("section", "workflow")}
    for name in on_page:
        if not any(name in snap[0] for snap in snapshots):
            problems.append("workflow '%s' is on the page but not in the API" % name)
    if not any(snap[0] for snap in snapshots) and not page.find("p", "empty"):
        problems.append("no workflows, and the page does not say so (p.empty)")

    if not token_given and page.find("button", "rerun"):
        problems.append("rerun buttons are on the page although no token is given")

    plan_sets = [snap[2] for snap in snapshots]
    if plan_sets[0] is None:
        problems.append("could not read api/v1/plans")
    else:
        sections = page.find("section", "plans")
        branches = {details.attrs.get("data-branch") for section in sections for details in section.find("details")}
        missing = [plan["branch"] for plan in plan_sets[0] if plan["branch"] not in branches]
        if missing and len(plan_sets) > 1 and plan_sets[1] is not None:
            missing = [plan["branch"] for plan in plan_sets[1] if plan["branch"] not in branches]
        for branch in missing:
            problems.append("branch plan '%s' has no details[data-branch] in section.plans" % branch)

    for problem in problems:
        print("dashboard-check: " + problem, file=sys.stderr)
    counts = "%d workflow(s) (%s)" % (len(names_everywhere), ", ".join(names_everywhere) or "none")
    if not problems:
        print("dashboard-check: ok: " + counts + ", %d plan(s), rerun buttons %s" %
              (len(plan_sets[0] or []), "present" if token_given else "absent"))
    return 1 if problems else 0


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "names":
        try:
            names(argv[2])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            print("dashboard-check: " + str(error), file=sys.stderr)
            sys.exit(1)
    elif command == "check":
        try:
            sys.exit(check(argv[2], argv[3], argv[4], argv[5] == "1"))
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            print("dashboard-check: an API answer is not as the OpenAPI document says: %s" % error, file=sys.stderr)
            sys.exit(1)
    elif command == "quote":
        print(urllib.parse.quote(argv[2], safe=""))
    elif command == "token":
        with open(argv[2], encoding="utf-8") as handle:
            print(handle.read().strip())
    else:
        print("usage: dashboard_check.py names|check|quote|token ARGUMENTS…", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
