/**
 * Executes a Keras functional LayersModel (tfjs) layer by layer, in topological order, on concrete
 * tensors (`layer.apply`), so that the activation at a cut layer (see blocks.ts) can be replaced by
 * a transformed one before the downstream layers run.
 *
 *   const runner = new LayerRunner(tf, model, "flatten_1");
 *   const act = runner.activation(x, "block_4_add");                            // prefix: images → cut
 *   const y = rescaleActivation(tf, act, 10);                                    // every sample to norm 10
 *   const feats = runner.runSegment(y, "block_4_add", runner.output);            // suffix: cut → features
 *   // or in one call: runner.run(x, { at: "block_4_add", transform: (a) => rescaleActivation(tf, a, 10) })
 *
 * A segment runs the layers strictly after cut `from` up to and including cut `to`. Because `from`
 * is a cut, its output is the only tensor the segment needs. Intermediate tensors are disposed as
 * soon as the last layer of the segment that reads them has run (reference counts from the graph);
 * the seed tensor belongs to the caller and is never disposed; the returned tensor belongs to the
 * caller. Layers are applied exactly as `model.predict` applies them (`layer.apply(inputs)` with no
 * kwargs, i.e. inference mode: batch norm uses its moving statistics, dropout is off), so an
 * untouched run reproduces `predict` (bit for bit in our tests on wasm).
 *
 * Rescaling an activation (`rescaleActivation`): per sample, the activation is flattened, L2-
 * normalised and multiplied by a target norm. `targetNorm(alpha, mode, meanScale)`:
 *   - mode "relative": target = α · s̄, s̄ the layer's mean per-sample activation norm over a
 *     reference batch. α = 1 gives every sample the mean scale (NOT the identity: the spread of the
 *     per-sample norms is removed, the directions are kept);
 *   - mode "absolute": target = α (in the layer's own units).
 * A sample whose activation is exactly zero stays zero (it has no direction).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../engine/tf";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import { ancestors, assertCut, layerGraph, type GraphLayer, type LayerGraph } from "./blocks";

export type AlphaMode = "relative" | "absolute";
export const ALPHA_MODES: readonly AlphaMode[] = ["relative", "absolute"];

/** The per-sample target norm for α: α·meanScale ("relative") or α ("absolute"). */
export function targetNorm(alpha: number, mode: AlphaMode, meanScale?: number): number {
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha <= 0) {
    throw new InvalidParameterError("alpha", `expected a finite number > 0, got ${alpha}`);
  }
  if (mode === "absolute") return alpha;
  if (mode !== "relative") throw new InvalidParameterError("alphaMode", `expected "relative" or "absolute", got ${JSON.stringify(mode)}`);
  if (meanScale === undefined || !Number.isFinite(meanScale) || meanScale <= 0) {
    throw new InvalidParameterError("meanScale", `relative α needs the layer's mean scale (finite, > 0), got ${meanScale}`);
  }
  return alpha * meanScale;
}

/**
 * Per-sample L2 norms of a batch of activations (each sample flattened): a Float32Array of length
 * batch. Synchronous (reads the values back).
 */
export function activationNorms(tf: Tf, x: TF.Tensor): Float32Array {
  const n = x.shape[0];
  const norms = tf.tidy(() => tf.norm(tf.reshape(x, [n, -1]), "euclidean", 1));
  try {
    return norms.dataSync() as Float32Array;
  } finally {
    norms.dispose();
  }
}

/**
 * Every sample of `x` (flattened) L2-normalised and multiplied by its target norm: one number for
 * all samples, or one per sample. Zero samples stay zero. Returns a new tensor of x's shape.
 */
export function rescaleActivation(tf: Tf, x: TF.Tensor, target: number | ArrayLike<number>): TF.Tensor {
  const n = x.shape[0];
  let targets: Float32Array;
  if (typeof target === "number") {
    if (!Number.isFinite(target) || target < 0) throw new InvalidParameterError("target", `expected a finite norm ≥ 0, got ${target}`);
    targets = new Float32Array(n).fill(target);
  } else {
    if (target.length !== n) throw new ShapeMismatchError("target", `expected ${n} target norms (one per sample), got ${target.length}`);
    targets = Float32Array.from(target);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(targets[i]) || targets[i] < 0) {
        throw new InvalidParameterError("target", `expected finite norms ≥ 0 (float32), got ${target[i]} at ${i}`);
      }
    }
  }
  return tf.tidy(() => {
    const flat = tf.reshape(x, [n, -1]);
    const norms = tf.norm(flat, "euclidean", 1, true);
    const positive = tf.greater(norms, 0);
    // norm 0 ⇒ factor 0 (the sample stays zero) instead of 0/0.
    const safe = tf.where(positive, norms, tf.onesLike(norms));
    const factor = tf.where(positive, tf.div(tf.tensor2d(targets, [n, 1], "float32"), safe), tf.zerosLike(norms));
    return tf.reshape(tf.mul(flat, factor), x.shape);
  });
}

interface Segment {
  /** Layers to apply, in order. */
  layers: GraphLayer[];
  /** For each layer name (the seed included): how many (consumer, input slot) pairs in the segment read it. */
  readers: Map<string, number>;
}

/** Runs a LayersModel layer by layer between cuts (see the module comment). */
export class LayerRunner {
  readonly graph: LayerGraph;
  /** The layer whose output is the result of a full run (e.g. "flatten_1"). */
  readonly output: string;
  /** The input layer's name (a cut: the start of a full run). */
  readonly input: string;
  private readonly tf: Tf;
  private readonly needed: Set<string>;
  private readonly segments = new Map<string, Segment>();

  /**
   * @param output - name of the layer whose output is the result of a full run.
   * @throws UnsupportedGraphError for graphs blocks.ts cannot read; InvalidParameterError for an unknown output.
   */
  constructor(tf: Tf, model: TF.LayersModel, output: string) {
    this.tf = tf;
    this.graph = layerGraph(model);
    this.input = this.graph.input;
    assertCut(this.graph, output, output);
    this.output = output;
    this.needed = ancestors(this.graph, output);
  }

  /** Throws NotACutError (naming the layer) unless `layer` is a cut towards the output. */
  assertCut(layer: string): GraphLayer {
    return assertCut(this.graph, layer, this.output);
  }

  /** Names of the layers a segment applies, in order (for inspection and tests). */
  segmentLayers(from: string, to: string): string[] {
    return this.segment(from, to).layers.map((g) => g.name);
  }

  private segment(from: string, to: string): Segment {
    const key = `${from}\u0000${to}`;
    const cached = this.segments.get(key);
    if (cached !== undefined) return cached;
    const a = this.assertCut(from), b = this.assertCut(to);
    if (b.position < a.position) {
      throw new InvalidParameterError("to", `"${to}" comes before "${from}" in the network; a segment runs forwards`);
    }
    // Between two cuts in a topological order, every layer the output needs is a descendant of
    // `from` and an ancestor of `to` (cut property), so the segment is a slice of the order.
    const layers = this.graph.order.slice(a.position + 1, b.position + 1).filter((g) => this.needed.has(g.name));
    const computed = new Set<string>([from]);
    const readers = new Map<string, number>();
    for (const g of layers) {
      for (const src of g.inbound) {
        if (!computed.has(src)) {
          // Cannot happen between true cuts; a guard against a wrong slice.
          throw new InvalidParameterError("from", `segment ${from} → ${to}: "${g.name}" needs "${src}", which the segment does not compute`);
        }
        readers.set(src, (readers.get(src) ?? 0) + 1);
      }
      computed.add(g.name);
    }
    const seg = { layers, readers };
    this.segments.set(key, seg);
    return seg;
  }

  /**
   * Runs the layers after cut `from` up to and including cut `to`, starting from `seed` (the output
   * of `from`, or the input images when `from` is the input layer). Returns the output of `to` (a
   * new tensor, or `seed` itself when from === to). Synchronous; `seed` is not disposed.
   */
  runSegment(seed: TF.Tensor, from: string, to: string): TF.Tensor {
    const seg = this.segment(from, to);
    if (seg.layers.length === 0) return seed;
    const tf = this.tf;
    const values = new Map<string, TF.Tensor>([[from, seed]]);
    const left = new Map(seg.readers);
    try {
      for (const g of seg.layers) {
        const inputs = g.inbound.map((src) => values.get(src)!);
        const out = tf.tidy(() => g.layer.apply(inputs.length === 1 ? inputs[0] : inputs) as TF.Tensor | TF.Tensor[]);
        if (Array.isArray(out)) {
          tf.dispose(out);
          throw new InvalidParameterError("model", `layer "${g.name}" returned ${out.length} tensors; expected one`);
        }
        values.set(g.name, out);
        for (const src of g.inbound) {
          const n = left.get(src)! - 1;
          left.set(src, n);
          if (n === 0 && src !== from) {
            values.get(src)!.dispose();
            values.delete(src);
          }
        }
      }
      const result = values.get(to)!;
      values.delete(to);
      return result;
    } finally {
      // Normally only the seed is left here; on an error, whatever was computed is freed.
      for (const [name, t] of values) if (name !== from) t.dispose();
    }
  }

  /** The output of cut `layer` for the input batch (a prefix run). */
  activation(x: TF.Tensor, layer: string): TF.Tensor {
    return this.runSegment(x, this.input, layer);
  }

  /**
   * A full run: input → output. When `at` is given, the activation of cut `at` is replaced by
   * `transform(activation)` before the rest of the network runs (the transform's result is disposed
   * here; it may return its argument).
   */
  run(x: TF.Tensor, options: { at?: string; transform?: (activation: TF.Tensor) => TF.Tensor } = {}): TF.Tensor {
    const at = options.at ?? this.input;
    const act = this.runSegment(x, this.input, at);
    let replaced: TF.Tensor | undefined;
    let result: TF.Tensor | undefined;
    try {
      replaced = options.transform ? options.transform(act) : act;
      result = this.runSegment(replaced, at, this.output);
      return result;
    } finally {
      if (replaced !== undefined && replaced !== act && replaced !== x && replaced !== result) replaced.dispose();
      if (act !== x && act !== result) act.dispose();
    }
  }
}
