/**
 * `npm run bench`: latent-bridge beside numpy (one BLAS thread) on the operations IRP is made of.
 * Not a test: numbers depend on the machine. Usage: npm run bench [-- --quick]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Matrix } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import { svd } from "../src/linalg/svd";
import { pinv } from "../src/linalg/pinv";
import { InverseRelativeProjection } from "../src/translate/irp";
import { writeNpyMatrix } from "../src/io/npy";
import { kernelBackend } from "../src/linalg/wasm/kernels";
import { embeddingPair } from "./data";

const quick = process.argv.includes("--quick");
const D = quick ? 256 : 768;
const ANCHORS = D;
const N = quick ? 2000 : 10_000;
const OMEGA = 16, DELTA = 0.5, SEED = 0;
const REPEATS = 5;

function time<T>(fn: () => T, repeats = REPEATS): { seconds: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    value = fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { seconds: best, value };
}

function numpyAvailable(): boolean {
  return spawnSync("/usr/bin/python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
}

const dir = mkdtempSync(join(tmpdir(), "latent-bridge-bench-"));
try {
  console.log(`latent-bridge benchmark — d=${D}, anchors=${ANCHORS}, transform rows=${N}, ω=${OMEGA}, δ=${DELTA}${quick ? " (quick)" : ""}, kernels: ${kernelBackend()}`);
  const anchors = embeddingPair(ANCHORS, D, 11);
  const input = embeddingPair(N, D, 12).x;
  const rng = new Random(5);
  const square = new Matrix(D, D);
  for (let i = 0; i < square.data.length; i++) square.data[i] = rng.normal();

  // Warm the JIT (and V8's optimising tier for the WebAssembly kernels, which replaces the baseline
  // code only between calls) on smaller sizes, so timings measure steady-state code.
  const warm = new Matrix(256, 256, square.data.slice(0, 256 * 256));
  for (let i = 0; i < 2; i++) {
    svd(warm);
    pinv(warm);
    matmul(warm, warm);
  }

  const ours: Record<string, number> = {};
  ours.svd = time(() => svd(square)).seconds;
  ours.pinv = time(() => pinv(square)).seconds;
  const fit = time(() => new InverseRelativeProjection({ omega: OMEGA, delta: DELTA, seed: SEED }).fit(anchors.x, anchors.y), 1);
  ours.irpFit = fit.seconds;
  const irp = fit.value;
  ours.irpTransform = time(() => irp.transform(input)).seconds;
  const d = irp.diagnostics;
  console.log(`IRP: ${d.distinctSubspaces} distinct subspaces of ${OMEGA}, mean anchors kept ${d.meanAnchorsKept.toFixed(1)}, mean condition number ${d.meanConditionNumber.toFixed(1)}`);

  let np: Record<string, number> | null = null;
  if (numpyAvailable()) {
    // The same first points as our seeded draws, so both sides invert the same subspaces.
    const draw = new Random(SEED);
    const firstPoints = Array.from({ length: OMEGA }, () => draw.int(ANCHORS));
    const files = { anchorsX: join(dir, "ax.npy"), anchorsY: join(dir, "ay.npy"), input: join(dir, "x.npy"), square: join(dir, "a.npy") };
    writeNpyMatrix(files.anchorsX, anchors.x);
    writeNpyMatrix(files.anchorsY, anchors.y);
    writeNpyMatrix(files.input, input);
    writeNpyMatrix(files.square, square);
    const job = join(dir, "job.json");
    writeFileSync(job, JSON.stringify({ ...files, firstPoints, delta: DELTA, repeats: REPEATS }));
    // One BLAS thread. OPENBLAS_CORETYPE/L2_SIZE, where this workplace sets them, slow a current
    // OpenBLAS down; they are unset for this one command only.
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const out = execFileSync("/usr/bin/python3", [join(import.meta.dirname, "numpy_reference.py"), job], { env, encoding: "utf8" });
    np = JSON.parse(out);
    console.log(`numpy ${np!.numpy as unknown as string}, one BLAS thread`);
  } else {
    console.log("numpy not found for /usr/bin/python3: install it with `apt-get install -y python3-numpy libopenblas0-pthread` to compare.");
  }

  const rows: [string, number, number | undefined][] = [
    [`SVD ${D}×${D} (U, s, V)`, ours.svd, np?.svd],
    [`pinv ${D}×${D}`, ours.pinv, np?.pinv],
    [`IRP fit (${ANCHORS} anchors, ω=${OMEGA}, δ=${DELTA})`, ours.irpFit, np?.irpFitLiteral],
    [`IRP transform ${N}×${D}`, ours.irpTransform, np?.irpTransformLiteral],
    ["IRP fit + transform", ours.irpFit + ours.irpTransform, np ? np.irpFitLiteral + np.irpTransformLiteral : undefined],
    ["  vs numpy collapsed to one map too", ours.irpFit + ours.irpTransform, np ? np.irpFitSingleMap + np.irpTransformSingleMap : undefined],
  ];
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log("");
  console.log(`| ${pad("operation", 44)} | latent-bridge (s) | numpy (s) | ratio |`);
  console.log(`| ${"-".repeat(44)} | ----------------: | --------: | ----: |`);
  for (const [name, o, n] of rows) {
    const ratio = n === undefined ? "—" : (o / n).toFixed(2);
    console.log(`| ${pad(name, 44)} | ${o.toFixed(3).padStart(17)} | ${(n === undefined ? "—" : n.toFixed(3)).padStart(9)} | ${ratio.padStart(5)} |`);
  }
  console.log("\nratio = latent-bridge time / numpy time (below 1: we are faster). numpy's IRP rows evaluate eq. 5 literally\n(one pseudo-inverse and one decode per subspace) unless marked 'collapsed'.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
