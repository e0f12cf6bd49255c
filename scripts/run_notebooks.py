#!/usr/bin/python3
"""Execute latent-bridge's notebooks headlessly under the real Jupyter + tslab kernel.

    npm run figures                      # every notebook in notebooks/, in name order (full mode)
    npm run figures -- 00-quickstart     # one notebook (by name, with or without .ipynb, or a prefix)
    npm run figures -- --quick           # small subsets (sets LATENT_BRIDGE_QUICK=1), as CI runs them
    npm run figures -- --jobs 2          # two notebooks side by side, each in its own kernel

Each notebook writes its own figures and tables: in full mode to figures/, the committed results
(this runner sets LATENT_BRIDGE_FIGURES_DIR to it; a notebook run anywhere else writes to the
ignored build/figures/), in quick mode to build/quick/figures/; LATENT_BRIDGE_FIGURES_DIR, if set,
wins. The executed copies, outputs included, go to build/notebooks/ (ignored by git: an executed
notebook carries plotly's ~4.8 MB bundle) and are signed, so Jupyter opens them trusted and draws
their interactive plots. The sources in notebooks/ stay output-free.

Each notebook that runs through is recorded in run-times.csv in the figures folder (one row per
notebook and mode, replaced by the next run: seconds, whether the data cache was warm — nothing new
written to it — or cold, the commit), so the README's times come from measurements.

On a failing cell this prints the notebook, the cell number and the cell's real error text (tslab
writes it to the cell's stderr; Jupyter's own message is empty) and exits 1.

--jobs N (default 1) runs up to N notebooks at once, each in its own worker process and kernel. They
start longest first, by the seconds of this mode's last run-times.csv (notebooks it has no time for
first, in name order), so the long ones do not end up alone at the end. Each prints one line as it
starts and one as it finishes; a failing notebook's cell and error are printed when it fails, the
others run to the end, and then the runner exits 1 (with --jobs 1 it stops at the first failure, as
it always has). The data cache is safe to share: an entry is computed by one notebook while the
others wait for it (src/io/claim.ts). run-times.csv then records times measured with the notebooks
sharing the machine's cores (its `jobs` column says how many ran at once), and a notebook's cache
counts as cold if any notebook wrote a new cache entry while it ran.
"""
import argparse
import concurrent.futures
import csv
import datetime
import io
import multiprocessing
import os
import subprocess
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
KERNEL = "latent-bridge"


def fail(msg):
    print(f"run_notebooks: {msg}", file=sys.stderr)
    sys.exit(2)


try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbformat.sign import NotebookNotary
except ImportError as e:  # pragma: no cover - depends on the machine
    fail(f"{e.name} is missing: run `bash scripts/setup.sh` (Debian: apt-get install python3-nbclient python3-nbformat jupyter-notebook)")


def cell_error_text(cell):
    """The error a tslab cell reported: its stderr stream, or an `error` output's traceback."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts).strip()


def pick(notebooks_dir, names):
    all_nbs = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not names:
        return all_nbs
    chosen = []
    for name in names:
        stem = name[:-6] if name.endswith(".ipynb") else name
        exact = [p for p in all_nbs if p.stem == stem]
        prefixed = [p for p in all_nbs if p.stem.startswith(stem)]
        found = exact or prefixed
        if not found:
            fail(f"no notebook named {name!r} in {notebooks_dir} (have: {', '.join(p.stem for p in all_nbs)})")
        chosen.extend(p for p in found if p not in chosen)
    return chosen


def slowest_cells(out_path, count=3, at_least=10.0):
    """The notebook's slowest code cells as "cell 17: 99 s, cell 3: 89 s", from the busy/idle times
    nbclient records in each executed cell's metadata; "" when none took `at_least` seconds."""
    try:
        nb = nbformat.read(out_path, as_version=4)
    except (OSError, ValueError):
        return ""
    def when(text):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    spans = []
    for index, cell in enumerate(nb.cells):
        e = cell.get("metadata", {}).get("execution", {})
        try:
            spans.append(((when(e["iopub.status.idle"]) - when(e["iopub.status.busy"])).total_seconds(), index + 1))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # not run, or stamps we cannot read: a profile line must never fail a run
    slow = sorted((s for s in spans if s[0] >= at_least), reverse=True)[:count]
    return ", ".join(f"cell {n}: {sec:.0f} s" for sec, n in slow)


def print_slowest(out_path, who=""):
    """The line under a notebook's "ok" naming its slowest cells (`who`: its name, when lines interleave)."""
    slow = slowest_cells(out_path)
    if slow:
        print(f"    {who + ' ' if who else ''}slowest: {slow}", flush=True)


def run_one(path, out_dir, timeout, env):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(REPO)}},
    )
    started = time.monotonic()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    error = None
    with client.setup_kernel(env=env, cwd=str(REPO)):
        for number, index in enumerate(code_cells, start=1):
            cell = nb.cells[index]
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                error = (number, index, f"timed out after {timeout} s")
            except DeadKernelError as e:
                error = (number, index, f"the kernel died: {e}")
            except CellExecutionError as e:
                error = (number, index, cell_error_text(cell) or str(e) or "failed without an error message")
            else:
                # tslab may report a failure only through stderr, with status ok: an uncaught
                # rejection prints there too. Treat a cell whose stderr holds an Error as failed.
                text = cell_error_text(cell)
                if text and ("Error" in text or "error TS" in text) and "Warning" not in text.split("\n")[0]:
                    error = (number, index, text)
            if error:
                break
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path = out_dir / path.name
    tmp = out_path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, out_path)
    sign(nb, out_path)
    return error, time.monotonic() - started, out_path


def sign(nb, out_path):
    """Signs an executed copy (we produced its outputs), so Jupyter opens it trusted and runs its plot
    scripts. The signature goes to Jupyter's signature database (nbsignatures.db in the Jupyter data
    dir, as `jupyter trust` does), not into the file."""
    try:
        notary = NotebookNotary()
        notary.sign(nb)
        # Check against what was written, as Jupyter will when it opens the file.
        if not notary.check_signature(nbformat.read(out_path, as_version=4)):
            raise RuntimeError("the written file does not match its signature")
    except Exception as e:  # a read-only data dir must not fail the run
        print(f"\nrun_notebooks: warning: could not sign {out_path} ({e}); open it in Jupyter with File > Trust Notebook", file=sys.stderr)


RUN_TIMES_COLUMNS = ["notebook", "mode", "seconds", "cache", "new_cache_entries", "jobs", "commit", "finished"]


def cache_entries(cache_dir):
    """Files in the data cache that notebooks write (embeddings, trained encoders, heads…; not apt's lists)."""
    if not cache_dir.is_dir():
        return 0
    n = 0
    for child in cache_dir.iterdir():
        if child.name == "apt":
            continue
        n += sum(1 for p in child.rglob("*") if p.is_file()) if child.is_dir() else 1
    return n


def commit_id():
    """The checkout's short commit, with "+changes" when src/ or notebooks/ differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "notebooks"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record_run_time(figures, row):
    """Upserts one notebook's row of <figures>/run-times.csv (atomically: a temporary file renamed)."""
    path = figures / "run-times.csv"
    rows = []
    if path.exists():
        with open(path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if (r.get("notebook"), r.get("mode")) != (row["notebook"], row["mode"])]
    rows.append(row)
    rows.sort(key=lambda r: (r["mode"], r["notebook"]))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=RUN_TIMES_COLUMNS, lineterminator="\n", extrasaction="ignore", restval="")
    w.writeheader()
    w.writerows(rows)
    figures.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".csv.{os.getpid()}.tmp")
    tmp.write_text(out.getvalue())
    os.replace(tmp, path)


def last_run_times(figures, mode):
    """Seconds per notebook of `mode` in <figures>/run-times.csv ({} when there is none or it is unreadable)."""
    path = figures / "run-times.csv"
    times = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                try:
                    if r.get("mode") == mode:
                        times[r["notebook"]] = float(r["seconds"])
                except (KeyError, TypeError, ValueError):
                    continue
    except OSError:
        return {}
    return times


def longest_first(notebooks, times):
    """Notebooks without a recorded time first (in the given order: they may be long), then by
    recorded seconds, longest first (ties in the given order)."""
    unknown = [p for p in notebooks if p.stem not in times]
    known = sorted((p for p in notebooks if p.stem in times), key=lambda p: -times[p.stem])
    return unknown + known


def positive_jobs(text):
    """--jobs: an integer >= 1."""
    try:
        n = int(text)
    except ValueError:
        n = None
    if n is None or n < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1 (notebooks run at once), got {text!r}")
    return n


def prebuild_src(env):
    """Compiles src/ once for every kernel of this run (scripts/tslab-kernel.mjs; a no-op when src/ is
    unchanged since the last build). A failure here is not fatal: each kernel then compiles src/ itself."""
    if env.get("LATENT_BRIDGE_TSLAB_PREBUILT") == "0":
        return
    r = subprocess.run(["node", str(REPO / "scripts" / "tslab-kernel.mjs"), "--prebuild", "--repo", str(REPO)],
                       cwd=REPO, env=env, capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        print("run_notebooks: could not prebuild src/ for the kernels; each kernel compiles it itself", file=sys.stderr, flush=True)


def shown(path):
    path = path.resolve()
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebooks to run (name, name.ipynb or prefix); default: all")
    ap.add_argument("--quick", action="store_true", help="small subsets (LATENT_BRIDGE_QUICK=1), as in CI")
    ap.add_argument("--notebooks-dir", default=str(REPO / "notebooks"))
    ap.add_argument("--out-dir", default=str(REPO / "build" / "notebooks"))
    ap.add_argument("--timeout", type=int, default=None, help="seconds per cell (default 600 quick, 7200 full)")
    ap.add_argument("--jobs", type=positive_jobs, default=1, metavar="N",
                    help="run up to N notebooks at once, each in its own kernel, longest first (default 1)")
    args = ap.parse_args()

    quick = args.quick or os.environ.get("LATENT_BRIDGE_QUICK") == "1"
    env = dict(os.environ)
    env["LATENT_BRIDGE_QUICK"] = "1" if quick else "0"
    if not quick and not env.get("LATENT_BRIDGE_FIGURES_DIR"):
        env["LATENT_BRIDGE_FIGURES_DIR"] = str(REPO / "figures")  # the committed results
    figures = env.get("LATENT_BRIDGE_FIGURES_DIR") or str(REPO / "build" / "quick" / "figures")
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(REPO / "jupyter"), env.get("JUPYTER_PATH")]))
    os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]  # for the kernelspec lookup in this process
    if not (REPO / "node_modules" / "tslab").exists():
        fail("node_modules/tslab is missing: run `bash scripts/setup.sh`")

    notebooks = pick(pathlib.Path(args.notebooks_dir), args.names)
    if not notebooks:
        fail(f"no notebooks found in {args.notebooks_dir}")
    timeout = args.timeout or (600 if quick else 7200)
    print(f"run_notebooks: {len(notebooks)} notebook(s), {'quick' if quick else 'full'} mode; figures and tables -> {shown(pathlib.Path(figures))}", flush=True)
    prebuild_src(env)
    cache_dir = pathlib.Path(env.get("LATENT_BRIDGE_CACHE_DIR") or REPO / "data" / "cache").resolve()
    mode = "quick" if quick else "full"
    jobs = min(args.jobs, len(notebooks))
    run = Run(figures=pathlib.Path(figures), cache_dir=cache_dir, mode=mode, commit=commit_id(), jobs=jobs)
    if jobs == 1:
        for path in notebooks:
            print(f"  {path.stem} ...", end="", flush=True)
            before = cache_entries(cache_dir)
            error, seconds, out_path = run_one(path, pathlib.Path(args.out_dir), timeout, env)
            if error:
                print(" FAILED", flush=True)
                report_failure(path, error, out_path)
                sys.exit(1)
            print(f" ok ({seconds:.1f} s) -> {shown(out_path)}", flush=True)
            print_slowest(out_path)
            run.record(path, seconds, before)
        print("run_notebooks: all notebooks ran", flush=True)
        return
    run_side_by_side(longest_first(notebooks, last_run_times(run.figures, mode)), jobs, pathlib.Path(args.out_dir), timeout, env, run)


class Run:
    """What every notebook's row of run-times.csv shares."""

    def __init__(self, figures, cache_dir, mode, commit, jobs):
        self.figures, self.cache_dir, self.mode, self.commit, self.jobs = figures, cache_dir, mode, commit, jobs

    def record(self, path, seconds, entries_before):
        new_entries = cache_entries(self.cache_dir) - entries_before
        record_run_time(self.figures, {
            "notebook": path.stem, "mode": self.mode, "seconds": f"{seconds:.1f}",
            "cache": "warm" if new_entries <= 0 else "cold", "new_cache_entries": max(0, new_entries), "jobs": self.jobs,
            "commit": self.commit, "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        })


def report_failure(path, error, out_path):
    number, index, text = error
    print(f"\n{path.name}: cell {index + 1} (code cell {number}) failed:\n", file=sys.stderr)
    print(text, file=sys.stderr)
    print(f"\nexecuted copy: {out_path}", file=sys.stderr, flush=True)


def worker_entry(path, out_dir, timeout, env):
    """run_one in a worker process; a failure of the runner itself (not of a cell) comes back as text."""
    try:
        return run_one(path, out_dir, timeout, env), None
    except Exception as e:  # e.g. the kernel could not start
        return None, f"{type(e).__name__}: {e}"


def run_side_by_side(notebooks, jobs, out_dir, timeout, env, run):
    """Runs the notebooks in up to `jobs` worker processes (one kernel each), starting them in the
    given order; reports each as it finishes; exits 1 after all of them if any failed."""
    print(f"run_notebooks: up to {jobs} at once, longest first: {', '.join(p.stem for p in notebooks)}", flush=True)
    started = time.monotonic()
    failed = []
    # spawn, not fork: each worker starts a clean interpreter (no ZMQ state copied from this one).
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = {}
        queue = list(notebooks)

        def submit_next():
            path = queue.pop(0)
            pending[pool.submit(worker_entry, path, out_dir, timeout, env)] = (path, cache_entries(run.cache_dir))
            print(f"  {path.stem} started", flush=True)

        while queue and len(pending) < jobs:
            submit_next()
        while pending:
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                path, before = pending.pop(future)
                try:
                    result, crash = future.result()
                except Exception as e:  # the worker process died (killed, out of memory)
                    result, crash = None, f"its worker process died: {e!r}"
                if crash is not None:
                    failed.append(path.stem)
                    print(f"  {path.stem} FAILED", flush=True)
                    print(f"\n{path.name}: could not be run: {crash}", file=sys.stderr, flush=True)
                else:
                    error, seconds, out_path = result
                    if error:
                        failed.append(path.stem)
                        print(f"  {path.stem} FAILED ({seconds:.1f} s)", flush=True)
                        report_failure(path, error, out_path)
                    else:
                        print(f"  {path.stem} ok ({seconds:.1f} s) -> {shown(out_path)}", flush=True)
                        print_slowest(out_path, path.stem)
                        run.record(path, seconds, before)
                if queue:
                    submit_next()
    wall = time.monotonic() - started
    if failed:
        print(f"run_notebooks: {len(failed)} of {len(notebooks)} notebook(s) failed: {', '.join(failed)} ({wall:.1f} s in all)", file=sys.stderr, flush=True)
        sys.exit(1)
    print(f"run_notebooks: all notebooks ran ({wall:.1f} s in all, up to {jobs} at once)", flush=True)


if __name__ == "__main__":
    main()
