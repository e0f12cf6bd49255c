/**
 * `npm run bench:study`: the time of the study that dominates full mode once the embeddings are
 * cached — Ext. 1's real-encoder study (`realEncoderStudy`: every ordered pair, every method, the
 * anchor-only (ω, δ, λ) choices and the gap diagnostic) — on synthetic spaces of Fashion-MNIST's
 * full-mode shape, so that it can be measured on a fresh machine without hours of embedding. Not a
 * test: numbers depend on the machine.
 *
 * The spaces: six "encoders" of one class-structured latent (10 classes, 64 dimensions, a decaying
 * spectrum), each a random linear map to the width of one of Fashion-MNIST's encoders (1,280, 1,792,
 * 2,048, 256, 256, 128: MobileNetV2, MobileNetV2 α = 1.4, InceptionV3, two MLPs, Fig. 3's MLP),
 * then ReLU (pooled CNN features are non-negative) and noise; 2,000 train and 1,000 test items, 500
 * anchors, the notebook's options (ω ∈ {1, 4, 16}, δ ∈ {0, 0.6 … 0.9}, λ ∈ {0, DEFAULT_RIDGES}),
 * seed 0. Real Fashion-MNIST spaces took 242 s where these take about as long (README, Benchmarks).
 *
 * Each measurement is a fresh process (`--child ROOT`), which imports the study from ROOT's src/ —
 * this checkout, or with `--baseline DIR` another checkout with the same API, alternating with this
 * one for `--rounds` rounds (default 1; the order flips every round). Each prints its wall and CPU
 * seconds, peak RSS, and a SHA-256 of its rows, diagnostics and direct-map rows: equal digests mean
 * the two checkouts computed the same numbers bit for bit.
 *
 * Usage: npm run bench:study [-- --quick] [-- --rounds N] [-- --baseline DIR] [-- --seeds 0,1,2]
 *   --quick   two encoders' worth of the grid on small spaces (a few seconds: checks the script runs)
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const v = args[at + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${name}: expected a value`);
  return v;
};
const quick = args.includes("--quick");
const seeds = (option("--seeds") ?? "0").split(",").map(Number);
if (!seeds.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`--seeds: expected comma-separated integers ≥ 0, got ${option("--seeds")}`);

const SIZES = quick
  ? { dims: [96, 64, 48], train: 200, test: 100, anchors: 64, omegas: [1, 4], deltas: [0, 0.7], ridges: [1] }
  : { dims: [1280, 1792, 2048, 256, 256, 128], train: 2000, test: 1000, anchors: 500, omegas: [1, 4, 16], deltas: [0, 0.6, 0.7, 0.8, 0.9], ridges: undefined };
const CLASSES = 10, LATENT = 64;

interface Sample { seconds: number; cpuSeconds: number; maxRssMB: number; digest: string; rows: number }

/** The child: generate the spaces, run ROOT's study once, print one JSON line. */
async function child(root: string): Promise<void> {
  const src = (p: string) => import(pathToFileURL(join(root, "src", p)).href);
  const [{ Matrix }, { Random }, { matmul }, { realEncoderStudy }, { memoHeadFactory }, { DEFAULT_RIDGES }] = await Promise.all([
    src("linalg/matrix.ts"), src("linalg/random.ts"), src("linalg/product.ts"), src("experiments/whenIrpWorks.ts"),
    src("experiments/stitchingTools.ts"), src("eval/irpPanel.ts"),
  ]);
  const n = SIZES.train + SIZES.test;
  const rng = new Random(20261205);
  const labels = Int32Array.from({ length: n }, (_, i) => i % CLASSES);
  const means = Array.from({ length: CLASSES }, () => Float64Array.from({ length: LATENT }, () => 1.5 * rng.normal()));
  const z = new Matrix(n, LATENT);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < LATENT; j++) z.data[i * LATENT + j] = (means[labels[i]][j] + rng.normal()) / Math.pow(1 + j, 0.5);
  }
  const encoders = SIZES.dims.map((d, e) => {
    const w = new Matrix(LATENT, d);
    for (let k = 0; k < w.data.length; k++) w.data[k] = rng.normal() / Math.sqrt(LATENT);
    const x = matmul(z, w);
    for (let k = 0; k < x.data.length; k++) x.data[k] = Math.max(0, x.data[k] + 0.2) + 0.05 * rng.normal();
    const rows = (from: number, to: number) => new Matrix(to - from, d, x.data.slice(from * d, to * d));
    return { name: `enc${e}-${d}d`, train: rows(0, SIZES.train), test: rows(SIZES.train, n) };
  });
  const spaces = { dataset: "synthetic-fashion-mnist-shape", encoders, trainLabels: labels.slice(0, SIZES.train), testLabels: labels.slice(SIZES.train) };
  const started = performance.now(), cpu = process.cpuUsage();
  const result = await realEncoderStudy(spaces, {
    omegas: SIZES.omegas, deltas: SIZES.deltas, ridges: SIZES.ridges ?? DEFAULT_RIDGES,
    numAnchors: SIZES.anchors, seeds, headFactory: memoHeadFactory(), progress: false,
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // NaN (the relative head's cosines) becomes null in JSON on both sides alike.
  const digest = createHash("sha256").update(JSON.stringify(result)).digest("hex").slice(0, 16);
  console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, digest, rows: result.rows.length }));
}

function measure(root: string): Sample {
  const env = { ...process.env, LATENT_BRIDGE_PROGRESS: "0" };
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "--import", "tsx", fileURLToPath(import.meta.url), ...args, "--child", root],
    { env, encoding: "utf8", maxBuffer: 1 << 26, cwd: root });
  if (r.status !== 0) throw new Error(`study in ${root} exited ${r.status}: ${r.stderr}`);
  const s = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<Sample, "maxRssMB">;
  return { ...s, maxRssMB: Number(r.stderr.trim().split("\n").pop()) / 1024 };
}

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q), h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const childAt = args.indexOf("--child");
if (childAt >= 0) {
  await child(resolve(args[childAt + 1]));
} else {
  const baseline = option("--baseline") && resolve(option("--baseline")!);
  const rounds = Number(option("--rounds") ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a positive integer, got ${option("--rounds")}`);
  const load = loadavg()[0];
  console.error(`Ext. 1 real-encoder study, synthetic spaces (${SIZES.dims.join(", ")} dimensions; ${SIZES.train} / ${SIZES.test} items, ` +
    `${SIZES.anchors} anchors; seeds ${seeds.join(", ")}), ${rounds} round(s)${baseline ? `, baseline ${baseline}` : ""}${quick ? " (quick)" : ""}`);
  const sides: Array<[string, string, Sample[]]> = [["this checkout", ROOT, []]];
  if (baseline) sides.push(["baseline", baseline, []]);
  for (let r = 0; r < rounds; r++) {
    for (const [name, root, into] of r % 2 === 0 ? sides : [...sides].reverse()) {
      const s = measure(root);
      into.push(s);
      console.error(`  round ${r + 1}, ${name}: ${s.seconds.toFixed(1)} s (CPU ${s.cpuSeconds.toFixed(1)} s), ${s.maxRssMB.toFixed(0)} MB, ${s.rows} rows, digest ${s.digest}`);
    }
  }
  const line = ([name, , v]: [string, string, Sample[]]) =>
    `| ${name} | ${median(v.map((s) => s.seconds)).toFixed(1)} | ${median(v.map((s) => s.cpuSeconds)).toFixed(1)} | ${median(v.map((s) => s.maxRssMB)).toFixed(0)} | ${v[0].rows} | \`${v[0].digest}\` |`;
  console.log(["| checkout | wall s | CPU s | peak RSS (MB) | rows | digest |", "| --- | ---: | ---: | ---: | ---: | --- |", ...sides.map(line)].join("\n"));
  const digests = new Set(sides.flatMap(([, , v]) => v.map((s) => s.digest)));
  console.log(`\n${cpus().length} cores, 1-minute load ${load.toFixed(1)} at the start; medians over ${rounds} round(s). ` +
    (digests.size === 1 ? "Every run computed the same numbers (one digest)." : `Runs disagree: ${digests.size} digests.`));
  if (digests.size !== 1) process.exitCode = 1;
}
