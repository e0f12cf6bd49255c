/**
 * latent-bridge side of `npm run bench`'s in-process rows: one operation per process, the twin of
 * benchmark/numpy_reference.py. Usage: tsx benchmark/ops.ts JOB.json OP (OP: svd, pinv, irpFit,
 * irpTransform, irpFitTransform; irpTransform32, irpFitTransform32 with precision "float32"). Loads the job's .npy inputs, warms the JIT and the WebAssembly
 * kernels' optimising tier on smaller sizes, times OP once and prints {"seconds", "cpuSeconds"} (run.ts measures
 * the process's peak RSS with GNU time).
 */
import { readFileSync } from "node:fs";
import { Matrix } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { svd } from "../src/linalg/svd";
import { pinv } from "../src/linalg/pinv";
import { InverseRelativeProjection } from "../src/translate/irp";
import { readNpyMatrix } from "../src/io/npy";

const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as {
  square: string; anchorsX: string; anchorsY: string; input: string; omega: number; delta: number; seed: number;
};
const op = process.argv[3];
const irp = () => new InverseRelativeProjection({ omega: job.omega, delta: job.delta, seed: job.seed });

let run: () => unknown;
if (op === "svd" || op === "pinv") {
  const a = readNpyMatrix(job.square);
  const warm = new Matrix(256, 256, a.data.slice(0, 256 * 256));
  for (let i = 0; i < 2; i++) {
    svd(warm);
    pinv(warm);
    matmul(warm, warm);
  }
  run = op === "svd" ? () => svd(a) : () => pinv(a);
} else {
  const ax = readNpyMatrix(job.anchorsX), ay = readNpyMatrix(job.anchorsY);
  const x = op === "irpFit" ? null : readNpyMatrix(job.input);
  // Warm-up: a fit on the first quarter of the anchors and a transform of 512 rows.
  const q = Math.max(8, ax.rows >> 2);
  const small = (m: Matrix, rows: number) => new Matrix(rows, m.cols, m.data.slice(0, rows * m.cols));
  const precision = op.endsWith("32") ? "float32" : "float64";
  for (let i = 0; i < 2; i++) irp().fit(small(ax, q), small(ay, q)).transform(small(ax, Math.min(512, ax.rows)), { precision });
  const fitted = op.startsWith("irpTransform") ? irp().fit(ax, ay) : null;
  const table: Record<string, () => unknown> = {
    irpFit: () => irp().fit(ax, ay),
    irpTransform: () => fitted!.transform(x!),
    irpFitTransform: () => irp().fit(ax, ay).transform(x!),
    irpTransform32: () => fitted!.transform(x!, { precision }),
    irpFitTransform32: () => irp().fit(ax, ay).transform(x!, { precision }),
  };
  if (!table[op]) throw new Error(`unknown operation ${op}`);
  run = table[op];
}
const t = performance.now(), cpu = process.cpuUsage();
run();
const seconds = (performance.now() - t) / 1000;
const used = process.cpuUsage(cpu);
// CPU seconds of the whole process (every thread: V8's compiler and GC helpers too) during the operation.
console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6 }));
