"""Engine figures of docs/benchmarks.md that the peers harness does not cover, on a release build.

usage: python3 bench/engine.py SLUICE_BIN [all|distinct|plan|nochange]
Prints one line per measure: wall seconds and, for plan, the peak RSS of the sluice process.
"""
import os, resource, shutil, subprocess, sys, tempfile, time

BIN = os.path.realpath(sys.argv[1])
GITENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
              GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")


def commit(repo):
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
    wall, rss = timed([BIN, "plan", "--repo", repo, "--state", os.path.join(repo, ".state"), "--time-limit", "0.2"])
    print("[plan-50000] %.2f s, peak RSS %s MB" % (wall, "%.0f" % (rss / 1024) if rss else "?"))
    shutil.rmtree(repo)


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
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    for name, measure in (("nochange", nochange), ("distinct", distinct), ("plan", plan)):
        if which in ("all", name):
            measure()
