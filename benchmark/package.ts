/**
 * `npm run bench`'s package rows, as a user meets them: whole processes, beside numpy (one BLAS thread).
 *
 *   1. Start-up: `latent-bridge --help` against `node -e 0`, best of 10, and their peak RSS. (The CLI's
 *      whole process on files, `translate` against numpy_package.py cli, is a row of benchmark/run.ts.)
 *   2. Streaming a float32 file beyond 2 GiB through a saved IRP model: `latent-bridge apply` against
 *      numpy applying the same model with np.load(mmap_mode="r") in 65,536-row chunks into an
 *      open_memmap output: seconds, GB/s of input and peak RSS (GNU time's maximum resident set
 *      size for us; getrusage for numpy — both count the file pages a process has mapped). The input
 *      is written first, so both read it from the page cache. The files are deleted afterwards.
 *
 * Run by benchmark/run.ts (npm run bench) after its rows, with its arguments: [--quick] (smaller
 * sizes) [--no-stream] (skip part 2).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "latent-bridge.mjs");
const PY = "/usr/bin/python3";
const NUMPY = join(ROOT, "benchmark", "numpy_package.py");
const quick = process.argv.includes("--quick");
const DELTA = 0.5, REPEATS = 5;
const STREAM_ROWS = quick ? 200_000 : 1_400_000, STREAM_D = 384;

const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1", LATENT_BRIDGE_PROGRESS: "0" };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Best wall time of `repeats` runs of a whole process. */
function bestOf(cmd: string, args: string[], repeats = REPEATS): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    run(cmd, args);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

/** Wall seconds and peak RSS (MB) of one process, by GNU time. */
function timed(cmd: string, args: string[]): { seconds: number; maxRssMB: number; stdout: string } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, maxRssMB: kb / 1024, stdout: r.stdout };
}

const row = (name: string, ours: string, numpy: string, ratio: string) => `| ${name} | ${ours} | ${numpy} | ${ratio} |`;

if (!existsSync(join(ROOT, "dist", "cli.js"))) execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--no-types"], { stdio: "inherit" });
const hasNumpy = spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
const dir = mkdtempSync(join(tmpdir(), "latent-bridge-bench-package-"));
const lines: string[] = [];
try {
  // 1. Start-up: --help, whole process (the CLI's translate row is benchmark/run.ts's).
  const help = bestOf(process.execPath, [BIN, "--help"], 10);
  const nodeStart = bestOf(process.execPath, ["-e", "0"], 10);
  const helpRss = timed(process.execPath, [BIN, "--help"]).maxRssMB, nodeRss = timed(process.execPath, ["-e", "0"]).maxRssMB;
  lines.push("whole processes; --help best of 10", "", "| operation | latent-bridge | numpy | ratio |", "| --- | ---: | ---: | ---: |");
  lines.push(row("`latent-bridge --help` (whole process; numpy column: `node -e 0`)", `${help.toFixed(3)} s`, `${nodeStart.toFixed(3)} s`, (help / nodeStart).toFixed(2)));
  lines.push(row("  peak RSS", `${helpRss.toFixed(0)} MB`, `${nodeRss.toFixed(0)} MB`, ""));

  // 2. Streaming a file beyond 2 GiB.
  if (!process.argv.includes("--no-stream") && hasNumpy) {
    const big = join(dir, "big.npy"), model = join(dir, "model.npz"), ours = join(dir, "big_y.npy"), theirs = join(dir, "big_y_numpy.npy");
    const sa = join(dir, "sa.npy"), ta = join(dir, "ta.npy");
    run(PY, ["-c", `
import numpy as np, sys
rng = np.random.default_rng(3)
d, rows = ${STREAM_D}, ${STREAM_ROWS}
q, _ = np.linalg.qr(rng.standard_normal((d, d)))
ax = rng.standard_normal((1000, d)).astype(np.float32)
np.save(sys.argv[1], ax); np.save(sys.argv[2], (ax @ q + 0.05 * rng.standard_normal((1000, d))).astype(np.float32))
x = np.lib.format.open_memmap(sys.argv[3], mode="w+", dtype=np.float32, shape=(rows, d))
for s in range(0, rows, 100000):
    x[s:s + 100000] = rng.standard_normal((min(100000, rows - s), d), dtype=np.float32)
x.flush()`, sa, ta, big]);
    run(process.execPath, [BIN, "fit", "--method", "irp", "--delta", String(DELTA), "--source-anchors", sa, "--target-anchors", ta, "--save", model]);
    const gb = statSync(big).size / 1e9;
    const o = timed(process.execPath, [BIN, "apply", "--model", model, "--input", big, "--output", ours, "--json"]);
    rmSync(ours);
    const again = timed(process.execPath, [BIN, "apply", "--model", model, "--input", big, "--output", ours, "--json"]);
    const oBest = again.seconds < o.seconds ? again : o;
    const n = timed(PY, [NUMPY, "stream", model, big, theirs]);
    const diff = JSON.parse(run(PY, [NUMPY, "compare", ours, theirs])).maxAbsDiff as number;
    lines.push(row(`stream ${gb.toFixed(2)} GB float32 (${STREAM_ROWS.toLocaleString("en-US")} × ${STREAM_D}) through a saved IRP model: seconds`, `${oBest.seconds.toFixed(1)} s`, `${n.seconds.toFixed(1)} s`, (oBest.seconds / n.seconds).toFixed(2)));
    lines.push(row("  throughput (input GB/s)", (gb / oBest.seconds).toFixed(3), (gb / n.seconds).toFixed(3), ""));
    lines.push(row("  peak RSS", `${oBest.maxRssMB.toFixed(0)} MB`, `${n.maxRssMB.toFixed(0)} MB`, ""));
    lines.push("", `stream: latent-bridge apply (best of 2 runs) vs numpy mmap in 65,536-row chunks; outputs agree to ${diff.toExponential(1)} (float32)`);
  }
  console.log(lines.join("\n"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
