"""`gan study run` on a Ray cluster: the plan's runs that have no result yet become Ray tasks, each
one `gan study trial` process (one run in, one JSON line out), and the driver appends each
result to the results file as its task finishes, exactly as `gan study run --jobs N` does, so
the two executors write the same results and either can continue a study the other began.

    python scripts/study_ray.py run --gan target/release/gan --plan out/study/plan.json \\
        --results out/study/results.jsonl [--address ray://host:10001] [--cpus-per-trial 1] \\
        [--backend gpu --gpus-per-trial 0.5]
    python scripts/study_ray.py check --gan target/release/gan --work DIR   # the test

Without --address, Ray starts a local cluster on this machine (`ray.init()`). With one, a node
needs Ray and Python (the driver's versions) on an OS and CPU the `gan` binary runs on, and nothing
else: the driver puts the binary and the plan, data and classifier files into Ray's object store
once, and a node copies them into gan-study-inputs/<content hash>/ in its temp dir the first time
one of its trials needs them, for its later trials to share. --gpus-per-trial reserves GPUs for
each trial (fractions share one), so that with --backend gpu trials go to nodes with GPUs.

Needs ray (pinned in scripts/requirements-reference.txt).
"""

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import ray
from ray.cluster_utils import Cluster

CACHE = "gan-study-inputs"


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
    torn = False
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            torn = f.read(1) != b"\n"
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


def ship(paths):
    """Puts each input file's bytes into Ray's object store once, as (file name, content hash, ref).
    Nested in a dict, the refs reach a trial unresolved, so a node that has a file fetches nothing."""
    shipped = {}
    for key, path in paths.items():
        with open(path, "rb") as f:
            data = f.read()
        shipped[key] = (os.path.basename(path), hashlib.sha256(data).hexdigest()[:16], ray.put(data))
    return shipped


def materialise(name, digest, ref):
    """A shipped file's path on this node: one copy per content, shared by the node's trials. It is
    written under a temporary name and renamed, so a concurrent trial finds the whole file or none."""
    folder = os.path.join(tempfile.gettempdir(), CACHE, digest)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        fd, part = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(ray.get(ref))
        os.chmod(part, 0o755)  # the binary runs from here
        os.replace(part, path)
    return path


@ray.remote
def trial(inputs, run_id, n, backend):
    """Runs one `gan study trial` on this node's copies of the inputs; returns its JSON line, or
    (None, why)."""
    gan, plan, data, classifier = (materialise(*inputs[key]) for key in ("gan", "plan", "data", "classifier"))
    command = [gan, "--backend", backend, "study", "trial", "--id", str(run_id), "--n", str(n),
               "--plan", plan, "--data", data, "--classifier", classifier]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        why = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"the trial process failed: {why}"
    return lines[-1], None


def duration(seconds):
    """1 h 5 m, 4 m 20 s, 12 s."""
    s = round(seconds)
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h} h {m} m" if h else f"{m} m {s} s" if m else f"{s} s"


def run_study(gan, plan_path, results_path, data, classifier, n, backend="cpu", address=None, cpus_per_trial=1,
              gpus_per_trial=0, on_shipped=None):
    """Runs the plan's pending runs as Ray tasks; returns how many ran. `on_shipped` is called once
    the inputs are in the object store (the check deletes the driver's copies there)."""
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
    inputs = ship({"gan": gan, "plan": plan_path, "data": data, "classifier": classifier})
    if on_shipped:
        on_shipped()
    start = time.monotonic()
    options = trial.options(num_cpus=cpus_per_trial, num_gpus=gpus_per_trial)
    pending = {options.remote(inputs, run["id"], n, backend): run for run in todo}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        run = pending.pop(ready[0])
        line, why = ray.get(ready[0])
        line = line or failed(run, why)
        append(results_path, line)
        result = json.loads(line)
        best = result.get("best")
        outcome = f"FID-style {best['fid']:.3f}" if best else result.get("error")
        done_now, elapsed = len(todo) - len(pending), time.monotonic() - start
        left = f", about {duration(elapsed / done_now * len(pending))} left" if pending else ""
        print(f"[{done_now}/{len(todo)}] run {result['id']} ({result['variant']} setting {result['setting']} "
              f"seed {result['seed']}): {outcome} — {duration(elapsed)} elapsed{left}", flush=True)
    return len(todo)


@contextlib.contextmanager
def node_temp_dir(path):
    """Ray nodes started inside keep their copies of the inputs under `path` (their TMPDIR), as
    separate machines would, while Ray keeps its own files where it would have. Only these two
    variables are restored after: ray.init sets others that the driver's Ray goes on using."""
    saved = {name: os.environ.get(name) for name in ("RAY_TMPDIR", "TMPDIR")}
    os.makedirs(path, exist_ok=True)
    os.environ.setdefault("RAY_TMPDIR", tempfile.gettempdir())
    os.environ["TMPDIR"] = path
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cached(node):
    """The names of the files a node's trials materialised, left-over temporary ones included."""
    root = os.path.join(node, CACHE)
    if not os.path.isdir(root):
        return []
    return [name for folder in os.listdir(root) for name in os.listdir(os.path.join(root, folder))]


def run_on_cluster(gan, plan, results, data, classifier, work, nodes):
    """Runs the plan on a simulated cluster, a head with no CPUs for trials and one one-CPU worker
    node per temp dir in `nodes`. The driver's inputs are copies that are deleted once shipped, so a
    trial that read a driver path would fail. Returns how many ran."""
    driver = os.path.join(work, "driver")
    os.makedirs(driver, exist_ok=True)
    copies = [shutil.copy(path, driver) for path in (gan, plan, data, classifier)]
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    try:
        for node in nodes:
            with node_temp_dir(node):
                cluster.add_node(num_cpus=1)
        ran = run_study(*copies[:2], results, *copies[2:], 64, address=cluster.address,
                        on_shipped=lambda: shutil.rmtree(driver))
    finally:
        ray.shutdown()
        cluster.shutdown()
    return ran


def check(gan, work, data, classifier):
    """The test: a tiny plan run by `gan study run --jobs 2` and by Ray trials on a local cluster
    gives the same results (run times aside), Ray continues a study `gan` began, and a simulated
    cluster of two nodes that share no files with the driver gives the same results again. Prints
    TAP lines; returns the number of failures."""
    os.makedirs(work, exist_ok=True)
    plan = os.path.join(work, "plan.json")
    subprocess.run([gan, "study", "plan", "--variants", "ns-gan,vae", "--settings", "2", "--steps", "2",
                    "--checkpoints", "2", "--batch", "4", "--g-width", "4", "--d-width", "4", "--out", plan],
                   check=True, stdout=subprocess.DEVNULL)
    local, on_ray, mixed, on_cluster = (os.path.join(work, f"{name}.jsonl")
                                        for name in ("local", "ray", "mixed", "cluster"))
    for path in (local, on_ray, mixed, on_cluster):
        if os.path.exists(path):
            os.remove(path)
    common = ["--plan", plan, "--data", data, "--classifier", classifier, "--n", "64"]
    subprocess.run([gan, "--backend", "cpu", "study", "run", "--results", local, "--jobs", "2", *common],
                   check=True, stdout=subprocess.DEVNULL)
    # The local cluster's two trials at a time share one copy of the inputs, kept in `work`.
    local_node = os.path.join(work, "local-node")
    with node_temp_dir(local_node):
        ran = run_study(gan, plan, on_ray, data, classifier, 64)
        # Half by `gan`, the rest by Ray: nothing redone.
        subprocess.run([gan, "--backend", "cpu", "study", "run", "--results", mixed, "--limit", "2", *common],
                       check=True, stdout=subprocess.DEVNULL)
        ran_after = run_study(gan, plan, mixed, data, classifier, 64)
        ray.shutdown()
    nodes = [os.path.join(work, f"node-{i}") for i in (1, 2)]
    try:
        ran_cluster = run_on_cluster(gan, plan, on_cluster, data, classifier, work, nodes)
    except ray.exceptions.RayError as e:  # a trial's error: the checks below fail, after TAP lines
        print(f"# the simulated cluster failed: {str(e).strip().splitlines()[-1]}")
        ran_cluster = 0
    one_copy_each = [len(names) == 4 and not any(name.startswith(".") for name in names)
                     for names in map(cached, [local_node, *nodes])]
    for node in (local_node, *nodes):  # three copies of the binary: not left behind in the caller's temp dir
        shutil.rmtree(node, ignore_errors=True)

    def timeless(path):
        return sorted(({**r, "seconds": 0} for r in read_results(path)), key=lambda r: r["id"])

    checks = [
        ("Ray ran every run of the plan", ran == 4 and len(timeless(on_ray)) == 4),
        ("Ray's results equal gan study run --jobs 2's", timeless(on_ray) == timeless(local)),
        ("Ray continues a study gan began, redoing nothing", ran_after == 2 and timeless(mixed) == timeless(local)),
        ("every run scored", all(r["best"] is not None and r["error"] is None for r in timeless(on_ray))),
        ("trials on one node share one copy of the inputs", one_copy_each[0]),
        ("on two nodes sharing no files with the driver, Ray's results equal gan study run --jobs 2's",
         ran_cluster == 4 and timeless(on_cluster) == timeless(local)),
        ("both nodes ran trials, each node from one copy of the inputs", all(one_copy_each[1:])),
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
    r.add_argument("--gpus-per-trial", type=float, default=0,
                   help="GPUs each trial reserves (fractions share one), placing trials on GPU nodes")
    c = sub.add_parser("check", help="the test: both executors on a tiny plan, and Ray on a simulated cluster")
    c.add_argument("--gan", required=True)
    c.add_argument("--work", required=True)
    c.add_argument("--data", default="www/data/mnist.bin")
    c.add_argument("--classifier", default="www/metrics/mnist-classifier.safetensors")
    args = parser.parse_args()
    if args.command == "check":
        sys.exit(1 if check(args.gan, args.work, args.data, args.classifier) else 0)
    run_study(args.gan, args.plan, args.results, args.data, args.classifier, args.n, args.backend, args.address,
              args.cpus_per_trial, args.gpus_per_trial)


if __name__ == "__main__":
    main()
