"""`gan study run` on a Ray cluster: the plan's runs that have no result yet become Ray tasks, each
one `gan study trial` process (one run in, one JSON line out), and the driver appends each
result to the results file as its task finishes, exactly as `gan study run --jobs N` does, so
the two executors write the same results and either can continue a study the other began.

    python scripts/study_ray.py run --gan target/release/gan --plan out/study/plan.json \\
        --results out/study/results.jsonl [--address ray://host:10001] [--cpus-per-trial 1]
    python scripts/study_ray.py check --gan target/release/gan --work DIR   # the test: both executors

Without --address, Ray starts a local cluster on this machine (`ray.init()`). With one, every node
must see the `gan` binary and the plan, data and classifier files at the same absolute paths (a
shared disk, or the same image on every node): a trial reads them where it runs.

Needs ray (pinned in scripts/requirements-reference.txt).
"""

import argparse
import json
import os
import subprocess
import sys

import ray


def read_results(path):
    """The results recorded so far; a last line cut short by an interruption is ignored."""
    if not os.path.exists(path):
        return []
    results = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                results.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return results


def append(path, line):
    """One result per line, written in one call; after a torn last line, a fresh line first."""
    torn = os.path.exists(path) and os.path.getsize(path) > 0 and open(path, "rb").read()[-1:] != b"\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write(("\n" if torn else "") + line.rstrip("\n") + "\n")
        f.flush()


def failed(run, why):
    """The result of a run whose trial produced none (the same shape `gan` writes)."""
    config = run["config"]
    return json.dumps({
        "id": run["id"], "variant": config["variant"], "setting": run["setting"], "seed": config["seed"],
        "steps": 0, "best": None, "checkpoints": [], "seconds": 0.0, "error": why,
    }, separators=(",", ":"))


@ray.remote
def trial(command):
    """Runs one `gan study trial` and returns its JSON line, or (None, why)."""
    out = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        why = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"the trial process failed: {why}"
    return lines[-1], None


def run_study(gan, plan_path, results_path, data, classifier, n, backend="cpu", address=None, cpus_per_trial=1):
    """Runs the plan's pending runs as Ray tasks; returns how many ran."""
    paths = [os.path.abspath(p) for p in (gan, plan_path, data, classifier)]
    gan, plan_path, data, classifier = paths
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    done = {r["id"] for r in read_results(results_path)}
    todo = [run for run in plan["runs"] if run["id"] not in done]
    print(f"{len(done)} of {len(plan['runs'])} runs done; running {len(todo)} on Ray", flush=True)
    if not todo:
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(results_path)), exist_ok=True)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    pending = {}
    for run in todo:
        command = [gan, "--backend", backend, "study", "trial", "--id", str(run["id"]), "--n", str(n),
                   "--plan", plan_path, "--data", data, "--classifier", classifier]
        pending[trial.options(num_cpus=cpus_per_trial).remote(command)] = run
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        run = pending.pop(ready[0])
        line, why = ray.get(ready[0])
        line = line or failed(run, why)
        append(results_path, line)
        result = json.loads(line)
        best = result.get("best")
        outcome = f"FID-style {best['fid']:.3f}" if best else result.get("error")
        print(f"run {result['id']} ({result['variant']} setting {result['setting']}): {outcome}", flush=True)
    return len(todo)


def check(gan, work, data, classifier):
    """The test: a tiny plan run by `gan study run --jobs 2` and by Ray trials on a local cluster
    gives the same results (run times aside), and Ray continues a study `gan` began. Prints TAP
    lines; returns the number of failures."""
    os.makedirs(work, exist_ok=True)
    plan = os.path.join(work, "plan.json")
    subprocess.run([gan, "study", "plan", "--variants", "ns-gan,vae", "--settings", "2", "--steps", "2",
                    "--checkpoints", "2", "--batch", "4", "--g-width", "4", "--d-width", "4", "--out", plan],
                   check=True, stdout=subprocess.DEVNULL)
    local, on_ray, mixed = (os.path.join(work, f"{name}.jsonl") for name in ("local", "ray", "mixed"))
    for path in (local, on_ray, mixed):
        if os.path.exists(path):
            os.remove(path)
    common = ["--plan", plan, "--data", data, "--classifier", classifier, "--n", "64"]
    subprocess.run([gan, "--backend", "cpu", "study", "run", "--results", local, "--jobs", "2", *common],
                   check=True, stdout=subprocess.DEVNULL)
    ran = run_study(gan, plan, on_ray, data, classifier, 64)
    # Half by `gan`, the rest by Ray: nothing redone.
    subprocess.run([gan, "--backend", "cpu", "study", "run", "--results", mixed, "--limit", "2", *common],
                   check=True, stdout=subprocess.DEVNULL)
    ran_after = run_study(gan, plan, mixed, data, classifier, 64)
    ray.shutdown()

    def timeless(path):
        return sorted(({**r, "seconds": 0} for r in read_results(path)), key=lambda r: r["id"])

    checks = [
        ("Ray ran every run of the plan", ran == 4 and len(timeless(on_ray)) == 4),
        ("Ray's results equal gan study run --jobs 2's", timeless(on_ray) == timeless(local)),
        ("Ray continues a study gan began, redoing nothing", ran_after == 2 and timeless(mixed) == timeless(local)),
        ("every run scored", all(r["best"] is not None and r["error"] is None for r in timeless(on_ray))),
    ]
    for i, (name, ok) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    failures = sum(not ok for _, ok in checks)
    print(f"# pass {len(checks) - failures}")
    print(f"# fail {failures}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a plan's pending runs as Ray tasks")
    r.add_argument("--gan", required=True, help="the gan binary")
    r.add_argument("--plan", default="out/study/plan.json")
    r.add_argument("--results", default="out/study/results.jsonl")
    r.add_argument("--data", default="www/data/mnist.bin")
    r.add_argument("--classifier", default="www/metrics/mnist-classifier.safetensors")
    r.add_argument("--n", type=int, default=500, help="samples each run is scored on")
    r.add_argument("--backend", default="cpu", choices=["auto", "gpu", "cpu"])
    r.add_argument("--address", default=None, help="a Ray cluster's address (default: a local Ray)")
    r.add_argument("--cpus-per-trial", type=float, default=1)
    c = sub.add_parser("check", help="the test: both executors on a tiny plan")
    c.add_argument("--gan", required=True)
    c.add_argument("--work", required=True)
    c.add_argument("--data", default="www/data/mnist.bin")
    c.add_argument("--classifier", default="www/metrics/mnist-classifier.safetensors")
    args = parser.parse_args()
    if args.command == "check":
        sys.exit(1 if check(args.gan, args.work, args.data, args.classifier) else 0)
    run_study(args.gan, args.plan, args.results, args.data, args.classifier, args.n, args.backend, args.address,
              args.cpus_per_trial)


if __name__ == "__main__":
    main()
