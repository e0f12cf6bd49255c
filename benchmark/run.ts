/**
 * `npm run bench`: latent-bridge beside numpy (one BLAS thread) on the operations IRP is made of, and
 * on the CLI's whole process. Not a test: numbers depend on the machine.
 *
 * Every row is one operation in a fresh process per measurement — benchmark/ops.ts for us,
 * benchmark/numpy_reference.py for numpy (the CLI row: `latent-bridge translate` against
 * benchmark/numpy_package.py cli) — run alternately, ours then numpy's then ours…, for `--rounds`
 * rounds (default 5; the order flips every round), so that both sides see the same machine load;
 * each time is the median over the rounds, each ratio the median of the rounds' ratios (the two
 * measurements of a round are neighbours in time), and the peak RSS a median too (GNU time's maximum resident set
 * size of the process that ran the row, inputs and interpreter included). Beside the wall times, CPU
 * seconds (user + system, every thread of the process: for the in-process rows during the operation,
 * for whole processes all of it), which a loaded machine disturbs much less than wall time. The ratio is ours / numpy's, against the numpy a user would write: IRP
 * collapsed into one map, as we do; eq. 5 evaluated term by term is the second line.
 *
 * Usage: npm run bench [-- --quick] [-- --rounds N] [-- --markdown] [-- --no-package]
 *   --markdown    print only the README's table (the README's Benchmarks numbers come from it)
 *   --no-package  skip benchmark/package.ts (--help, streaming a > 2 GB file), run afterwards otherwise
 *   --baseline DIR   also time another checkout of latent-bridge (its benchmark/ops.ts, its bin; build
 *                 its dist first) in the same rounds: a before/after column under the same load
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/linalg/matrix";
import { Random } from "../src/linalg/random";
import { writeNpyMatrix } from "../src/io/npy";
import { kernelBackend } from "../src/linalg/wasm/kernels";
import { embeddingPair, firstPoints } from "./data";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PY = "/usr/bin/python3";
const args = process.argv.slice(2);
const quick = args.includes("--quick"), markdown = args.includes("--markdown");
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
const baselineAt = args.indexOf("--baseline");
const BASELINE = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds: expected a positive integer, got ${args[roundsAt + 1]}`);
const D = quick ? 256 : 768, ANCHORS = D, N = quick ? 2000 : 10_000;
const OMEGA = 16, DELTA = 0.5, SEED = 0;

// One BLAS thread. OPENBLAS_CORETYPE/L2_SIZE, where this workplace sets them, slow a current
// OpenBLAS down; they are unset for the benchmark's processes only.
const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1", LATENT_BRIDGE_PROGRESS: "0" };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;

/** Wall seconds, CPU seconds (user + system, every thread; NaN when the side does not report them) and peak RSS. */
interface Sample { seconds: number; cpuSeconds: number; maxRssMB: number }

function run(cmd: string, cmdArgs: string[]): string {
  const r = spawnSync(cmd, cmdArgs, { env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A process that times its own operation and prints {"seconds"} as its last line; peak RSS from GNU
 * time, as for every row (a process's own getrusage would report its parent's peak: Linux keeps
 * ru_maxrss across fork and execve).
 */
function selfTimed(cmd: string, cmdArgs: string[]): Sample {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...cmdArgs], { env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(" ")} exited ${r.status}: ${r.stderr}`);
  const { seconds, cpuSeconds } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; cpuSeconds?: number };
  return { seconds, cpuSeconds: cpuSeconds ?? NaN, maxRssMB: Number(r.stderr.trim().split("\n").pop()) / 1024 };
}

/** A whole process: wall seconds from here, peak RSS from GNU time. */
function wholeProcess(cmd: string, cmdArgs: string[]): Sample {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", cmd, ...cmdArgs], { env, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  const [user, system, rss] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, cpuSeconds: user + system, maxRssMB: rss / 1024 };
}

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q), h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

interface Row { name: string; ours: Sample[]; numpy: Sample[]; baseline: Sample[] }

/**
 * Before every measurement: a throwaway process that allocates and touches 256 MB through numpy, so
 * every measured process starts from the same memory state. Measured here (2026-12-02): a numpy
 * process right after a large Node process spent 1.5–2.2 s in the kernel (page faults; 0.1–0.2 s
 * otherwise), and one throwaway toucher in between removed it; Node processes showed no such
 * effect. Without this, whichever side follows a Node process pays, and numpy always did.
 */
function settle(): void {
  if (hasNumpy) spawnSync(PY, ["-c", "import numpy as np; np.ones(1 << 25).sum()"], { env, stdio: "ignore" });
}

/**
 * Alternates `ours`, `theirs` (and the baseline's) for ROUNDS rounds, the order reversed every
 * other round, so that each side sees the same load; `settle` runs before each measurement.
 */
function alternate(name: string, ours: (() => Sample) | null, theirs: (() => Sample) | null, baseline: (() => Sample) | null = null): Row {
  const row: Row = { name, ours: [], numpy: [], baseline: [] };
  const sides: Array<[(() => Sample) | null, Sample[]]> = [[ours, row.ours], [theirs, row.numpy], [baseline, row.baseline]];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [f, into] of r % 2 === 0 ? sides : [...sides].reverse()) {
      if (!f) continue;
      settle();
      into.push(f());
    }
  }
  if (!markdown) process.stderr.write(`  ${name}: done\n`);
  return row;
}

/** Median of the per-round ratios a/b (neighbours in time, so load drifts cancel), else of the medians. */
function pairedRatio(a: Sample[], b: Sample[], key: "seconds" | "cpuSeconds" = "seconds"): number {
  if (a.length === 0 || b.length === 0) return NaN;
  if (a.length !== b.length) return median(a.map((x) => x[key])) / median(b.map((x) => x[key]));
  return median(a.map((x, i) => x[key] / b[i][key]));
}

const hasNumpy = spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
// The CLI row runs the built bin: build it from this checkout's source first (under a second).
run(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--no-types"]);
const dir = mkdtempSync(join(tmpdir(), "latent-bridge-bench-"));
try {
  const load = loadavg()[0];
  const anchors = embeddingPair(ANCHORS, D, 11);
  const input = embeddingPair(N, D, 12).x;
  const rng = new Random(5);
  const square = new Matrix(D, D);
  for (let i = 0; i < square.data.length; i++) square.data[i] = rng.normal();
  const f = { anchorsX: join(dir, "ax.npy"), anchorsY: join(dir, "ay.npy"), input: join(dir, "x.npy"), square: join(dir, "a.npy") };
  writeNpyMatrix(f.anchorsX, anchors.x);
  writeNpyMatrix(f.anchorsY, anchors.y);
  writeNpyMatrix(f.input, input);
  writeNpyMatrix(f.square, square);
  const job = join(dir, "job.json");
  // The same first points as our seeded draws, so both sides invert the same subspaces.
  writeFileSync(job, JSON.stringify({ ...f, firstPoints: firstPoints(OMEGA, ANCHORS, SEED), omega: OMEGA, delta: DELTA, seed: SEED }));
  // The CLI row reads float32 files, as a user's embeddings usually are.
  const f32 = { anchorsX: join(dir, "ax32.npy"), anchorsY: join(dir, "ay32.npy"), input: join(dir, "x32.npy"), output: join(dir, "y32.npy") };
  writeNpyMatrix(f32.anchorsX, anchors.x, "float32");
  writeNpyMatrix(f32.anchorsY, anchors.y, "float32");
  writeNpyMatrix(f32.input, input, "float32");
  const cliJob = join(dir, "cli.json");
  writeFileSync(cliJob, JSON.stringify({ ...f32, output: join(dir, "y32_numpy.npy"), firstPoints: firstPoints(OMEGA, ANCHORS, SEED), delta: DELTA }));

  const opsOf = (root: string) => (op: string) => () => selfTimed(process.execPath, ["--import", "tsx", join(root, "benchmark", "ops.ts"), job, op]);
  const oursOp = opsOf(ROOT);
  const baseOp = (op: string) => (BASELINE ? opsOf(BASELINE)(op) : null);
  if (BASELINE) run(process.execPath, [join(BASELINE, "scripts", "build.mjs"), "--no-types"]);
  const numpyOp = (op: string) => (hasNumpy ? () => selfTimed(PY, [join(ROOT, "benchmark", "numpy_reference.py"), job, op]) : null);
  if (!markdown) console.error(`latent-bridge benchmark — d=${D}, anchors=${ANCHORS}, transform rows=${N}, ω=${OMEGA}, δ=${DELTA}${quick ? " (quick)" : ""}, kernels: ${kernelBackend()}, ${ROUNDS} rounds`);
  const rows: Row[] = [
    alternate(`SVD ${D}×${D} (U, s, V)`, oursOp("svd"), numpyOp("svd"), baseOp("svd")),
    alternate(`pinv ${D}×${D}`, oursOp("pinv"), numpyOp("pinv"), baseOp("pinv")),
    alternate(`IRP fit (${ANCHORS} anchors, ω = ${OMEGA}, δ = ${DELTA})`, oursOp("irpFit"), numpyOp("irpFit"), baseOp("irpFit")),
    alternate(`IRP transform ${N.toLocaleString("en-US")} × ${D}`, oursOp("irpTransform"), numpyOp("irpTransform"), baseOp("irpTransform")),
  ];
  const fitTransform = alternate("**IRP fit + transform**", oursOp("irpFitTransform"), numpyOp("irpFitTransform"), baseOp("irpFitTransform"));
  rows.push(fitTransform);
  const literal = alternate("… numpy evaluating eq. 5 term by term instead", null, numpyOp("irpFitTransformLiteral"));
  rows.push({ ...literal, ours: fitTransform.ours, baseline: fitTransform.baseline });
  // precision "float32" (ours) against numpy's product in float32 and, second line, against numpy in
  // float64 (what the rows above time) — the three alternate in the same rounds, so both ratios pair
  // neighbours in time. No baseline: older checkouts have no float32 path.
  const twoLines = (name: string, against64: string, r: Row): Row[] => [
    { name, ours: r.ours, numpy: r.numpy, baseline: [] }, { name: against64, ours: r.ours, numpy: r.baseline, baseline: [] },
  ];
  rows.push(...twoLines(`IRP transform ${N.toLocaleString("en-US")} × ${D}, float32 product (\`precision: "float32"\`; numpy: float32 matmul)`,
    "… against numpy's float64 transform", alternate("transform32", oursOp("irpTransform32"), numpyOp("irpTransform32"), numpyOp("irpTransform"))));
  rows.push(...twoLines("IRP fit + transform, float32 product (numpy: float32 matmul)", "… against numpy's float64 fit + transform",
    alternate("fitTransform32", oursOp("irpFitTransform32"), numpyOp("irpFitTransform32"), numpyOp("irpFitTransform"))));
  const translate = ["translate", "--method", "irp", "--omega", String(OMEGA), "--delta", String(DELTA), "--seed", String(SEED),
    "--source-anchors", f32.anchorsX, "--target-anchors", f32.anchorsY, "--input", f32.input, "--output", f32.output];
  const cli = alternate(`CLI whole process: start, load, fit, transform, save (\`translate\`, float32 files)`,
    () => wholeProcess(process.execPath, [join(ROOT, "bin", "latent-bridge.mjs"), ...translate]),
    hasNumpy ? () => wholeProcess(PY, [join(ROOT, "benchmark", "numpy_package.py"), "cli", cliJob]) : null,
    BASELINE ? () => wholeProcess(process.execPath, [join(BASELINE, "bin", "latent-bridge.mjs"), ...translate]) : null);
  const numpyCli = (precision: string) => (hasNumpy ? () => wholeProcess(PY, [join(ROOT, "benchmark", "numpy_package.py"), "cli", cliJob, precision]) : null);
  rows.push(cli, ...twoLines("CLI whole process, `--precision float32` (numpy: float32 matmul)", "… against the numpy script in float64",
    alternate("cli32", () => wholeProcess(process.execPath, [join(ROOT, "bin", "latent-bridge.mjs"), ...translate, "--precision", "float32"]),
      numpyCli("float32"), numpyCli("float64"))));

  const numpyVersion = hasNumpy ? run(PY, ["-c", "import numpy; print(numpy.__version__)"]).trim() : "absent";
  const med = (v: Sample[], key: keyof Sample) => median(v.map((x) => x[key]));
  const cell = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "—");
  const lines = [
    `| operation | latent-bridge (s) | numpy (s) | ratio | CPU s, ours / numpy | CPU ratio | peak RSS, ours / numpy (MB) |${BASELINE ? " baseline (s) | ours / baseline |" : ""}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |${BASELINE ? " ---: | ---: |" : ""}`,
    ...rows.map((r) => {
      const ratio = cell(pairedRatio(r.ours, r.numpy), 2);
      const base = BASELINE ? ` ${cell(r.baseline.length ? med(r.baseline, "seconds") : NaN, 3)} | ${cell(pairedRatio(r.ours, r.baseline), 2)} |` : "";
      const cpu = `${cell(med(r.ours, "cpuSeconds"), 3)} / ${r.numpy.length ? cell(med(r.numpy, "cpuSeconds"), 3) : "—"} | ${cell(pairedRatio(r.ours, r.numpy, "cpuSeconds"), 2)}`;
      return `| ${r.name} | ${cell(med(r.ours, "seconds"), 3)} | ${r.numpy.length ? cell(med(r.numpy, "seconds"), 3) : "—"} | ${r.name.startsWith("**") ? `**${ratio}**` : ratio} | ${cpu} | ` +
        `${cell(med(r.ours, "maxRssMB"), 0)} / ${r.numpy.length ? cell(med(r.numpy, "maxRssMB"), 0) : "—"} |${base}`;
    }),
    "",
    `d = ${D}, ${ANCHORS} anchors, ω = ${OMEGA}, δ = ${DELTA}, transform of ${N.toLocaleString("en-US")} × ${D}; kernels ${kernelBackend()}, numpy ${numpyVersion} (one BLAS thread); ` +
      `one process per measurement, latent-bridge and numpy alternating for ${ROUNDS} rounds: times are medians, ratios the median of the rounds' ratios; ` +
      `${cpus().length} cores, 1-minute load ${load.toFixed(1)} at the start${BASELINE ? `; baseline: ${BASELINE}` : ""}.`,
  ];
  console.log(lines.join("\n"));
  if (!markdown) {
    console.log("\nratio = latent-bridge / numpy (below 1: we are faster), against numpy IRP collapsed into one map as we do;");
    console.log("the eq. 5 line times numpy's term-by-term form against the same latent-bridge run.");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (!args.includes("--no-package")) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "benchmark", "package.ts"), ...args], { stdio: "inherit", env });
  process.exitCode = r.status ?? 1;
}
