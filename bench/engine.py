"""Engine figures of docs/benchmarks.md that the peers harness does not cover, on a release build.

usage: python3 bench/engine.py SLUICE_BIN [all|nochange|distinct|plan|controller|webhook|apply50k]
Prints one line per measure: wall seconds and, for plan, the peak RSS of the sluice process.
"""
import json, os, resource, shutil, subprocess, sys, tempfile, time

BIN = os.path.realpath(sys.argv[1])
GITENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
              GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")


def commit(repo):
    # The state directory and logs live inside the repository folder: never commit them.
    with open(os.path.join(repo, ".gitignore"), "w") as f:
        f.write(".state/\n*.log\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=GITENV)
    subprocess.run(["git", "commit", "-qm", "bench"], cwd=repo, check=True, env=GITENV)


def pool(nodes, cpu):
    names = ", ".join("{name: n%d, capacity: {cpu: %d, memory: 64Gi}}" % (i, cpu) for i in range(nodes))
    return "apiVersion: sluice/v1\nkind: ResourcePool\nmetadata: {name: local}\nspec:\n  nodes: [%s]\n" % names


def workflows(repo, count, tasks, unique):
    """`count` workflow files of `tasks` tasks each, half of them needing the one before (a ladder)."""
    for w in range(count):
        lines = ["apiVersion: sluice/v1", "kind: Workflow", "metadata: {name: w%d}" % w, "spec:", "  pool: local", "  tasks:"]
        for t in range(tasks):
            needs = ", needs: [t%d]" % (t - 1) if t % 2 == 1 else ""
            run = "echo w%d-t%d >/dev/null" % (w, t) if unique else "true"
            lines.append("    - {name: t%d, run: '%s', resources: {cpu: 1}%s}" % (t, run, needs))
        with open(os.path.join(repo, "w%04d.yaml" % w), "w") as f:
            f.write("\n".join(lines) + "\n")


def timed(args):
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(args), result.stdout[-2000:], result.stderr[-2000:]))
    return wall, rss if rss > before else None


def distinct():
    """1,000 distinct trivial tasks (20 workflows x 50, unique commands) on one 2-cpu node."""
    repo = tempfile.mkdtemp(prefix="sluice-bench-")
    with open(os.path.join(repo, "pool.yaml"), "w") as f:
        f.write(pool(1, 2))
    workflows(repo, 20, 50, unique=True)
    commit(repo)
    wall, _ = timed([BIN, "apply", "--repo", repo, "--state", os.path.join(repo, ".state")])
    print("[distinct-1000] %.2f s, %.2f ms per task" % (wall, wall))
    shutil.rmtree(repo)


def plan():
    """`plan` of 1,000 workflows x 50 tasks on 20 nodes: wall time and peak RSS."""
    repo = tempfile.mkdtemp(prefix="sluice-bench-")
    with open(os.path.join(repo, "pool.yaml"), "w") as f:
        f.write(pool(20, 32))
    workflows(repo, 1000, 50, unique=True)
    commit(repo)
    wall, rss = timed([BIN, "plan", "--repo", repo, "--state", os.path.join(repo, ".state")])
    print("[plan-50000] %.2f s, peak RSS %s MB" % (wall, "%.0f" % (rss / 1024) if rss else "?"))
    shutil.rmtree(repo)


def apply50k():
    """`apply` of 1,000 workflows x 50 distinct tasks on 20 nodes x 32 cpus: wall time and peak RSS. Keeps the
    repository and state in BENCH_KEEP (if set) for the controller measure."""
    repo = os.environ.get("BENCH_KEEP") or tempfile.mkdtemp(prefix="sluice-bench-")
    os.makedirs(repo, exist_ok=True)
    with open(os.path.join(repo, "pool.yaml"), "w") as f:
        f.write(pool(20, 32))
    workflows(repo, 1000, 50, unique=True)
    commit(repo)
    wall, rss = timed([BIN, "apply", "--repo", repo, "--state", os.path.join(repo, ".state")])
    print("[apply-50000] %.1f s, %.2f ms per task, peak RSS %s MB" % (wall, wall / 50, "%.0f" % (rss / 1024) if rss else "?"))
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(repo)


def one_task_manifest(i):
    """A pool and a workflow of one trivial task whose command changes with `i`."""
    return pool(1, 2) + "---\napiVersion: sluice/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  pool: local\n  tasks:\n" \
        "    - {name: hello, run: 'echo %d', resources: {cpu: 1}}\n" % i


def status_latencies(git, work, step, count=20):
    """Runs `step(i)` for each commit i (it writes, commits, and returns when its clock started) and measures until the
    status branch of the repository that `git` (git's arguments) names carries that commit. The status branch is
    polled with `git log` every 5 ms, which itself loads the 2 cores a little."""
    def status_source():
        out = subprocess.run(["git"] + git + ["log", "-1", "--format=%B", "sluice/status"], capture_output=True, text=True).stdout
        return next((l.split()[-1] for l in out.splitlines() if l.startswith("Sluice-Source:")), None)
    def head():
        return subprocess.run(["git", "-C", work, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    deadline = time.time() + 30
    while status_source() != head() and time.time() < deadline:
        time.sleep(0.01)
    latencies = []
    for i in range(1, count + 1):
        time.sleep(0.2)   # commits a person would make, not a burst: each is measured alone
        with open(os.path.join(work, "w.yaml"), "w") as f:
            f.write(one_task_manifest(i))
        started = step(i)
        target = head()
        while status_source() != target and time.perf_counter() - started < 10:
            time.sleep(0.005)
        latencies.append(time.perf_counter() - started)
    return latencies


def report_latencies(name, latencies):
    import statistics
    print("[%s] median %.0f ms, min %.0f ms, max %.0f ms (%d commits)"
          % (name, statistics.median(latencies) * 1000, min(latencies) * 1000, max(latencies) * 1000, len(latencies)))


def controller():
    """Controller: commit -> status commit for a trivial task on a local repository, median of 20 commits."""
    import signal
    repo = tempfile.mkdtemp(prefix="sluice-bench-")
    with open(os.path.join(repo, "w.yaml"), "w") as f:
        f.write(one_task_manifest(0))
    commit(repo)
    log = open(os.path.join(repo, "controller.log"), "w")
    daemon = subprocess.Popen([BIN, "controller", "--repo", repo, "--state", os.path.join(repo, ".state"), "--listen", "off",
                               "--interval", "1h"], stdout=log, stderr=log)
    def step(i):
        # From before `git commit`, so git's own time counts: the controller sees the ref move while git still runs.
        started = time.perf_counter()
        subprocess.run(["git", "commit", "-qam", "c%d" % i], cwd=repo, check=True, env=GITENV)
        return started
    latencies = status_latencies(["-C", repo], repo, step)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait()
    report_latencies("controller-commit-to-status", latencies)
    shutil.rmtree(repo)


def webhook():
    """Controller on a bare remote over file://: signed GitHub push webhook -> status commit pushed back to the remote,
    fetch and push included; median of 20 commits."""
    import hashlib, hmac, signal, socket, urllib.request
    root = tempfile.mkdtemp(prefix="sluice-bench-")
    remote, work = os.path.join(root, "remote.git"), os.path.join(root, "work")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", remote], check=True)
    os.makedirs(work)
    with open(os.path.join(work, "w.yaml"), "w") as f:
        f.write(one_task_manifest(0))
    commit(work)
    subprocess.run(["git", "-C", work, "push", "-q", remote, "main"], check=True)
    secret = b"bench-secret"
    with open(os.path.join(root, "secret"), "wb") as f:
        f.write(secret)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(os.path.join(root, "controller.log"), "w")
    daemon = subprocess.Popen([BIN, "controller", "--repo", "file://" + remote, "--state", os.path.join(root, ".state"),
                               "--listen", "127.0.0.1:%d" % port, "--webhook-secret-file", os.path.join(root, "secret"),
                               "--interval", "1h"], stdout=log, stderr=log)
    def step(i):
        subprocess.run(["git", "commit", "-qam", "c%d" % i], cwd=work, check=True, env=GITENV)
        subprocess.run(["git", "-C", work, "push", "-q", remote, "main"], check=True)
        after = subprocess.run(["git", "-C", work, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        body = json.dumps({"ref": "refs/heads/main", "after": after}).encode()
        request = urllib.request.Request("http://127.0.0.1:%d/hooks/git" % port, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-GitHub-Event": "push",
            "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()})
        started = time.perf_counter()
        urllib.request.urlopen(request).read()
        return started
    latencies = status_latencies(["--git-dir", remote], work, step)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait()
    report_latencies("webhook-to-status", latencies)
    shutil.rmtree(root)


def nochange():
    """`sluice apply` of a chain of 100 that already ran: process start included."""
    repo = tempfile.mkdtemp(prefix="sluice-bench-")
    lines = [pool(1, 2), "---", "apiVersion: sluice/v1", "kind: Workflow", "metadata: {name: chain}", "spec:", "  pool: local", "  tasks:"]
    for t in range(100):
        needs = ", needs: [t%d]" % (t - 1) if t else ""
        lines.append("    - {name: t%d, run: 'true', resources: {cpu: 1}%s}" % (t, needs))
    with open(os.path.join(repo, "chain.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    commit(repo)
    state = os.path.join(repo, ".state")
    timed([BIN, "apply", "--repo", repo, "--state", state])
    walls = sorted(timed([BIN, "apply", "--repo", repo, "--state", state])[0] for _ in range(5))
    print("[nochange-chain-100] median %.1f ms" % (walls[2] * 1000))
    shutil.rmtree(repo)


if __name__ == "__main__":
    # The measures named after the binary (several may be given), else all of them.
    which = sys.argv[2:] or ["all"]
    for name, measure in (("nochange", nochange), ("distinct", distinct), ("plan", plan), ("controller", controller), ("webhook", webhook),
                          ("apply50k", apply50k)):
        if "all" in which or name in which:
            measure()
