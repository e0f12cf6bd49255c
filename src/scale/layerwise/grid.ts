/**
 * The (cut, α) accuracy grid of layer-wise rescaling (the IRP paper's Fig. 2), written once for any
 * network that can be walked cut by cut and re-run from a cut: a Keras backbone cut at its block
 * outputs (layerwiseRescale.ts) or a transformer at its hidden states (transformerRescale.ts).
 *
 * Per batch: one untouched walk visits the cuts in depth order; at each cut, for every α, the
 * activation's units (a whole sample for a CNN, each real token for a transformer) are L2-normalised
 * and multiplied by the target norm — α·s̄ ("relative": s̄ the cut's mean unit norm over the
 * reference items) or α ("absolute") — the rest of the network runs from there, and a frozen head
 * classifies the features. The untouched walk's own features give the unrescaled accuracy.
 */
import type * as TF from "@tensorflow/tfjs";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import { Matrix } from "../../linalg/matrix";
import type { Predictor } from "../rescaleSweep";
import { assertOneOf, assertPredictor, checkFactors } from "../../validate";
import { ALPHA_MODES, targetNorm, type AlphaMode } from "./runFrom";

/** What the grid needs of a network, for its input batches B. */
export interface RescaleNetwork<B> {
  /**
   * Walks the cuts `cuts` (in depth order) for batch `b`: `atCut(cut, activation)` at each (the
   * activation is disposed after the call), then `atOutput(features)` when given (disposed after).
   * Without `atOutput` the walk may stop at the deepest cut. Owns (and frees) `b`'s tensors.
   */
  walk(b: B, cuts: readonly string[], atCut: (cut: string, activation: TF.Tensor) => void, atOutput?: (features: TF.Tensor) => void): void;
  /** The features [n, dim] from `activation` at `cut` (the rest of the network); the caller disposes them. */
  runFrom(b: B, cut: string, activation: TF.Tensor): TF.Tensor;
  /** The L2 norms of the units that get rescaled (one per sample, or one per real token). */
  unitNorms(b: B, activation: TF.Tensor): Float32Array;
  /** `activation` with every unit rescaled to norm `target` (a zero unit stays zero); the caller disposes it. */
  rescale(b: B, activation: TF.Tensor, target: number): TF.Tensor;
}

/** Items to classify, in batches. */
export interface RescaleItems<B> {
  count: number;
  batch(start: number, end: number): B | Promise<B>;
}

export interface RescaleGridInput<B> {
  network: RescaleNetwork<B>;
  items: RescaleItems<B>;
  /** Class of each item. */
  labels: Int32Array;
  head: Predictor;
  /** Cuts to rescale at, in the order the rows are reported, with their depth (position) to walk them in order. */
  cuts: readonly { name: string; position: number }[];
  alphas: readonly number[];
  alphaMode: AlphaMode;
  /** s̄ per cut when given (else measured on `reference`, or on `items` when there is no reference). */
  meanScales?: Record<string, number>;
  /** Items whose mean unit norms define s̄ when `meanScales` is omitted. */
  reference?: RescaleItems<B>;
  batchSize: number;
  label: string;
  progress?: boolean | ProgressMode;
}

export interface RescaleGridOutput {
  /** One row per (cut, α): cuts in the order given, α in the order given. */
  rows: { cut: string; alpha: number; accuracy: number; targetNorm: number }[];
  unrescaledAccuracy: number;
  meanScales: Record<string, number>;
  /** Where s̄ came from: given, measured on the reference items, or on the evaluated items themselves. */
  meanScaleSource: "given" | "reference" | "items";
  /** Wall-clock seconds of the grid part per item and per (cut, α) cell (see layerwiseRescale.ts). */
  secondsPerItemPerCell: number;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The grid's options as callers take them (alphaMode default "relative"): checked once for every network. @throws InvalidParameterError naming the option. */
export function checkGridOptions(o: { alphaMode?: unknown; alphas: unknown; head: Predictor }): AlphaMode {
  const alphaMode = assertOneOf(o.alphaMode ?? "relative", ALPHA_MODES, "alphaMode");
  checkFactors(o.alphas, "alphas");
  assertPredictor(o.head);
  return alphaMode;
}

function toMatrix(t: TF.Tensor): Matrix {
  const [n, d] = t.shape;
  return new Matrix(n, d, Float64Array.from(t.dataSync() as Float32Array));
}

/**
 * One untouched pass over `items`: the mean unit norm at each cut of `cuts` (in depth order) over
 * all the items' units — s̄ for relative α — and, when given, `atOutput(features, start)` for each
 * batch's features (rows start…). `afterBatch` after every batch (a progress bar's tick).
 */
export async function meanUnitNorms<B>(
  net: RescaleNetwork<B>, items: RescaleItems<B>, cuts: readonly string[], batchSize: number,
  options: { atOutput?: (features: TF.Tensor, start: number) => void; afterBatch?: () => void } = {},
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {}, units: Record<string, number> = {};
  for (const c of cuts) sums[c] = units[c] = 0;
  const { atOutput } = options;
  for (let start = 0; start < items.count; start += batchSize) {
    const end = Math.min(items.count, start + batchSize);
    const b = await items.batch(start, end);
    net.walk(b, cuts, (cut, act) => {
      const norms = net.unitNorms(b, act);
      for (const v of norms) sums[cut] += v;
      units[cut] += norms.length;
    }, atOutput && ((f) => atOutput(f, start)));
    options.afterBatch?.();
    await nextTick();
  }
  return Object.fromEntries(cuts.map((c) => [c, sums[c] / units[c]]));
}

/** The grid (see the module comment). Validation of the caller's options is the caller's. */
export async function layerRescaleGrid<B>(o: RescaleGridInput<B>): Promise<RescaleGridOutput> {
  const { network: net, items, labels, head, cuts, alphas, alphaMode } = o;
  const n = items.count;
  const byDepth = [...cuts].sort((a, b) => a.position - b.position).map((c) => c.name);
  let meanScaleSource: RescaleGridOutput["meanScaleSource"];
  let meanScales: Record<string, number> = {};
  const ref = o.reference ?? items;
  const needMeans = alphaMode === "relative" || o.meanScales !== undefined;
  const refBatches = o.meanScales === undefined && alphaMode === "relative" ? Math.ceil(ref.count / o.batchSize) : 0;
  const gridBatches = Math.ceil(n / o.batchSize);
  const bar = progress({ total: refBatches + gridBatches, label: o.label, mode: resolveProgressMode(o.progress) });
  try {
    if (o.meanScales !== undefined) {
      meanScaleSource = "given";
      for (const c of cuts) {
        const s = o.meanScales[c.name];
        if (typeof s !== "number" || !Number.isFinite(s) || s <= 0) {
          throw new InvalidParameterError("meanScales", `expected a finite scale > 0 for layer "${c.name}", got ${s}`);
        }
        meanScales[c.name] = s;
      }
    } else if (needMeans) {
      meanScaleSource = o.reference !== undefined ? "reference" : "items";
      if (ref.count === 0) throw new InvalidParameterError("reference", "expected at least one item");
      const means = await meanUnitNorms(net, ref, byDepth, o.batchSize, { afterBatch: () => bar.tick() });
      meanScales = Object.fromEntries(cuts.map((c) => [c.name, means[c.name]]));
      for (const c of cuts) {
        if (!(meanScales[c.name] > 0)) throw new InvalidParameterError("reference", `the activations at "${c.name}" are all zero; relative α is undefined there`);
      }
    } else {
      meanScaleSource = "items"; // absolute α: s̄ is only reported, from the grid's own untouched walk
    }

    const targets = new Map<string, number[]>(cuts.map((c) => [c.name, alphas.map((a) => targetNorm(a, alphaMode, meanScales[c.name]))]));
    const correct = new Map<string, Int32Array>(cuts.map((c) => [c.name, new Int32Array(alphas.length)]));
    const normSums: Record<string, number> = Object.fromEntries(cuts.map((c) => [c.name, 0]));
    const normUnits: Record<string, number> = Object.fromEntries(cuts.map((c) => [c.name, 0]));
    let unrescaledCorrect = 0;
    let passes = 0;
    const gridStart = performance.now();
    const countHits = (features: TF.Tensor, start: number): number => {
      const predicted = head.predict(toMatrix(features));
      if (predicted.length !== features.shape[0]) {
        throw new ShapeMismatchError("head", `predict returned ${predicted.length} classes for ${features.shape[0]} rows`);
      }
      let hits = 0;
      for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[start + i]) hits++;
      return hits;
    };
    for (let start = 0; start < n; start += o.batchSize) {
      const end = Math.min(n, start + o.batchSize);
      const b = await items.batch(start, end);
      net.walk(b, byDepth, (cut, act) => {
        const norms = net.unitNorms(b, act);
        for (const v of norms) normSums[cut] += v;
        normUnits[cut] += norms.length;
        const t = targets.get(cut)!;
        const hits = correct.get(cut)!;
        for (let k = 0; k < t.length; k++) {
          const scaled = net.rescale(b, act, t[k]);
          let f: TF.Tensor | undefined;
          try {
            f = net.runFrom(b, cut, scaled);
            hits[k] += countHits(f, start);
          } finally {
            if (f !== undefined && f !== scaled) f.dispose();
            scaled.dispose();
          }
          passes++;
        }
      }, (f) => {
        unrescaledCorrect += countHits(f, start);
      });
      bar.tick();
      await nextTick();
    }
    const gridSeconds = (performance.now() - gridStart) / 1000;
    if (!needMeans) meanScales = Object.fromEntries(cuts.map((c) => [c.name, normSums[c.name] / normUnits[c.name]]));

    const rows: RescaleGridOutput["rows"] = [];
    for (const c of cuts) {
      const hits = correct.get(c.name)!;
      const t = targets.get(c.name)!;
      alphas.forEach((alpha, k) => rows.push({ cut: c.name, alpha, accuracy: hits[k] / n, targetNorm: t[k] }));
    }
    return {
      rows, unrescaledAccuracy: unrescaledCorrect / n, meanScales, meanScaleSource,
      secondsPerItemPerCell: passes > 0 ? gridSeconds / (passes / gridBatches) / n : 0,
    };
  } finally {
    bar.done();
  }
}
