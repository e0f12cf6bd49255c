/**
 * Layer-wise scale invariance of a deep pretrained backbone (the IRP paper's Fig. 2, there for
 * RoBERTa): at each block of the network, rescale the activations by α, run the rest of the network
 * to the pooled features and measure the accuracy of a downstream head trained on the UNRESCALED
 * pooled features.
 *
 *   const data = loadFashionMnist({ split: "test" });
 *   const idx = stratifiedSubset(data.labels, { perClass: 10 }, 0);
 *   const grid = await layerwiseRescaleGrid({
 *     encoder: "mobilenet_v2", images: { fashionMnist: data, indices: idx }, head,
 *     layers: ["Conv1_relu", "block_5_add", "out_relu"], alphas: [0.1, 0.5, 1, 2, 10],
 *   });
 *   grid.rows;               // [{ layer, layerIndex, alpha, accuracy, targetNorm }, …]
 *   grid.unrescaledAccuracy; // accuracy of the head on the untouched features
 *
 * α is relative by default: each sample's activation at the layer (flattened over H×W×C) is
 * L2-normalised and multiplied by α·s̄, where s̄ is the layer's mean per-sample norm over the
 * reference images (`reference`, default the evaluated images; or given as `meanScales`). α = 1 thus
 * gives every sample the layer's mean scale — not the identity (the spread of norms is removed).
 * `alphaMode: "absolute"` makes the target norm α itself.
 *
 * Cost: per batch, one pass walks the chosen cut layers in depth order (each activation computed
 * once from the previous one), and for each (layer, α) only the part of the network after the layer
 * is re-run: ≈ 1 + Σ_layers |α| · (fraction of the network after the layer) full passes. Activations
 * are never cached (MB per image at early layers); only the loaded model is memoised in memory.
 */
import type * as TF from "@tensorflow/tfjs";
import { getTf, type Tf } from "../../engine/tf";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import { Matrix } from "../../linalg/matrix";
import { imageProvider, readBatch, type LayerwiseImages, type RgbImageProvider } from "./images";
import { listImageBackbones, readModelArtifacts, type ImageBackboneId } from "../../encoders/pretrained/imageBackbones";
import type { Predictor } from "../rescaleSweep";
import { listBlocks, type BlockInfo } from "./blocks";
import { checkBatchSize } from "../../validate";
import { checkGridOptions, layerRescaleGrid, type RescaleItems, type RescaleNetwork } from "./grid";
import { activationNorms, LayerRunner, rescaleActivation, type AlphaMode } from "./runFrom";

/** Backbones that are Keras layers models (the graph model mobilenet_v2_mid cannot be cut this way). */
export type LayerwiseEncoder = Extract<ImageBackboneId, "mobilenet_v2" | "inception_v3">;
export const LAYERWISE_ENCODERS: readonly LayerwiseEncoder[] = Object.freeze(["mobilenet_v2", "inception_v3"] as LayerwiseEncoder[]);

// ---------------------------------------------------------------------------------------------
// The model

export interface LayerwiseBackbone {
  encoder: LayerwiseEncoder;
  inputSize: number;
  /** Feature layer (pooled features), e.g. "flatten_1". */
  output: string;
  /** Feature dimension. */
  dim: number;
  model: TF.LayersModel;
  runner: LayerRunner;
  /** Block boundaries (cuts), in depth order: Fig. 2's layers. */
  blocks: BlockInfo[];
  dispose(): void;
}

const loaded = new Map<LayerwiseEncoder, Promise<LayerwiseBackbone>>();

function checkEncoder(encoder: unknown): asserts encoder is LayerwiseEncoder {
  if (!LAYERWISE_ENCODERS.includes(encoder as LayerwiseEncoder)) {
    throw new InvalidParameterError("encoder", `expected one of ${LAYERWISE_ENCODERS.join(", ")} (Keras layers models), got ${JSON.stringify(encoder)}`);
  }
}

/**
 * Loads the full Keras model of a backbone from the local nsfwjs files (the same weights as
 * `loadImageBackbone`, a separate copy: ~14 MB for MobileNetV2) with a LayerRunner towards its
 * pooled features. Memoised.
 */
export function loadLayerwiseBackbone(encoder: LayerwiseEncoder): Promise<LayerwiseBackbone> {
  checkEncoder(encoder);
  let p = loaded.get(encoder);
  if (p === undefined) {
    p = (async () => {
      const { tf } = await getTf();
      const info = listImageBackbones().find((b) => b.id === encoder)!;
      const artifacts = readModelArtifacts(encoder);
      const model = await tf.loadLayersModel({ load: async () => artifacts });
      try {
        const runner = new LayerRunner(tf, model, info.featureOutput);
        const blocks = listBlocks(runner.graph, info.featureOutput);
        let disposed = false;
        return {
          encoder, inputSize: info.inputSize, output: info.featureOutput, dim: info.dim, model, runner, blocks,
          dispose() {
            if (disposed) return;
            disposed = true;
            loaded.delete(encoder);
            model.dispose();
          },
        };
      } catch (e) {
        model.dispose();
        throw e;
      }
    })().catch((e: unknown) => {
      loaded.delete(encoder);
      throw e;
    });
    loaded.set(encoder, p);
  }
  return p;
}

/** The block boundaries of a backbone (loads it). */
export async function layerwiseBlocks(encoder: LayerwiseEncoder): Promise<BlockInfo[]> {
  return (await loadLayerwiseBackbone(encoder)).blocks;
}

/** Layers as names or block indices → names, in depth order; every one must be a cut. */
function resolveLayers(bb: LayerwiseBackbone, layers: readonly (string | number)[] | undefined): { name: string; layerIndex: number; position: number }[] {
  const list = layers ?? bb.blocks.map((b) => b.name);
  if (!Array.isArray(list) || list.length === 0) throw new InvalidParameterError("layers", "expected a non-empty array of layer names or block indices");
  const seen = new Set<string>();
  const out = list.map((l) => {
    let name: string;
    if (typeof l === "number") {
      if (!Number.isInteger(l) || l < 0 || l >= bb.blocks.length) {
        throw new InvalidParameterError("layers", `block index ${l} is outside 0..${bb.blocks.length - 1}`);
      }
      name = bb.blocks[l].name;
    } else {
      name = l;
    }
    const g = bb.runner.assertCut(name); // NotACutError naming the layer
    if (seen.has(name)) throw new InvalidParameterError("layers", `"${name}" is listed twice`);
    seen.add(name);
    const block = bb.blocks.find((b) => b.name === name);
    return { name, layerIndex: block ? block.index : name === bb.output ? bb.blocks.length : -1, position: g.position };
  });
  return out;
}


const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// Unrescaled features and per-layer norms

export interface LayerwiseFeaturesOptions {
  encoder: LayerwiseEncoder;
  images: LayerwiseImages;
  /** Cut layers (names or block indices) whose per-sample activation norms are recorded. Default: every block. */
  layers?: readonly (string | number)[];
  /** Images per forward pass (default 8). */
  batchSize?: number;
  label?: string;
  progress?: boolean | ProgressMode;
}

export interface LayerwiseFeatures {
  /** n × dim pooled features (identical to `loadImageBackbone(encoder).embed`). */
  features: Matrix;
  /** Per-sample L2 norm of the (flattened) activation at each recorded layer. */
  norms: Record<string, Float64Array>;
  /** Mean of `norms[layer]`: s̄ for relative α. */
  meanScales: Record<string, number>;
  seconds: number;
}

/**
 * One untouched pass: the pooled features and the activation norms at the given cuts — e.g. on the
 * head's training images, to train the head and take the reference mean scales from the same pass.
 */
export async function layerwiseFeatures(options: LayerwiseFeaturesOptions): Promise<LayerwiseFeatures> {
  const started = performance.now();
  const bb = await loadLayerwiseBackbone(options.encoder);
  const { tf } = await getTf();
  const src = imageProvider(options.images, "images");
  const layers = resolveLayers(bb, options.layers).sort((a, b) => a.position - b.position);
  const batchSize = checkBatchSize(options.batchSize, 8);
  const n = src.count;
  const features = new Matrix(n, bb.dim);
  const norms: Record<string, Float64Array> = {};
  for (const l of layers) norms[l.name] = new Float64Array(n);
  const bar = progress({ total: n, label: options.label ?? `${options.encoder} features + norms`, mode: resolveProgressMode(options.progress) });
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const x = tf.tensor4d(readBatch(src, start, end, bb.inputSize, "images"), [end - start, bb.inputSize, bb.inputSize, 3], "float32");
      walk(tf, bb, x, layers.map((l) => l.name), (name, act) => {
        norms[name].set(activationNorms(tf, act), start);
      }, (f) => {
        features.data.set(Float64Array.from(f.dataSync() as Float32Array), start * bb.dim);
      });
      bar.tick(end - start);
      await nextTick();
    }
  } finally {
    bar.done();
  }
  return { features, norms, meanScales: meansOf(norms), seconds: (performance.now() - started) / 1000 };
}

function meansOf(norms: Record<string, Float64Array>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(norms)) out[name] = v.reduce((a, b) => a + b, 0) / v.length;
  return out;
}

/**
 * Walks the cuts `names` (in depth order) for the batch `x` (which it disposes): calls
 * `atCut(name, activation)` at each (the activation is disposed after the callback), and
 * `atOutput(features)` at the end when given (features disposed after). Without `atOutput` the walk
 * stops at the deepest cut.
 */
function walk(
  tf: Tf, bb: LayerwiseBackbone, x: TF.Tensor, names: string[],
  atCut: (name: string, act: TF.Tensor) => void, atOutput?: (features: TF.Tensor) => void,
): void {
  const r = bb.runner;
  let prev = r.input;
  let current: TF.Tensor = x;
  try {
    for (const name of names) {
      const next = r.runSegment(current, prev, name);
      if (next !== current) current.dispose();
      current = next;
      prev = name;
      atCut(name, current);
    }
    if (atOutput) {
      const f = r.runSegment(current, prev, r.output);
      if (f !== current) current.dispose();
      current = f;
      atOutput(f);
    }
  } finally {
    current.dispose();
  }
}

/** A backbone as the grid's network: batches are image tensors, units whole samples (flattened over H×W×C). */
function backboneNetwork(tf: Tf, bb: LayerwiseBackbone): RescaleNetwork<TF.Tensor> {
  return {
    walk: (x, cuts, atCut, atOutput) => walk(tf, bb, x, [...cuts], atCut, atOutput),
    runFrom: (_x, cut, act) => bb.runner.runSegment(act, cut, bb.runner.output),
    unitNorms: (_x, act) => activationNorms(tf, act),
    rescale: (_x, act, target) => rescaleActivation(tf, act, target),
  };
}

// ---------------------------------------------------------------------------------------------
// The grid

export interface LayerwiseRescaleOptions {
  encoder: LayerwiseEncoder;
  /** Evaluated images (RGB provider or Fashion-MNIST indices). */
  images: LayerwiseImages;
  /** Class of each image; default: the Fashion-MNIST labels of `images` (or `images.labels`). */
  labels?: ArrayLike<number>;
  /** A frozen head trained on the UNRESCALED pooled features (e.g. a ClassificationHead). */
  head: Predictor;
  /** Cut layers to rescale at (names or block indices). Default: every block (`listBlocks`). The feature layer itself is allowed. */
  layers?: readonly (string | number)[];
  /** Rescaling factors (finite, > 0). */
  alphas: readonly number[];
  /** "relative" (default): target norm α·s̄_layer; "absolute": target norm α. */
  alphaMode?: AlphaMode;
  /** s̄ per layer (e.g. `layerwiseFeatures(trainImages).meanScales`); computed from `reference` when omitted. */
  meanScales?: Record<string, number>;
  /** Images whose mean activation norms define s̄ when `meanScales` is omitted. Default: `images`. */
  reference?: LayerwiseImages;
  /** Images per forward pass (default 8). */
  batchSize?: number;
  label?: string;
  progress?: boolean | ProgressMode;
}

export interface LayerwiseRow {
  layer: string;
  /** Block index (0 = stem; `blocks.length` for the feature layer; −1 for another cut). */
  layerIndex: number;
  alpha: number;
  accuracy: number;
  /** The per-sample norm every activation was rescaled to (α·s̄ or α). */
  targetNorm: number;
}

export interface LayerwiseRescaleResult {
  /** One row per (layer, α), layers in the order given, α in the order given. */
  rows: LayerwiseRow[];
  /** Accuracy of the head on the untouched features of the evaluated images. */
  unrescaledAccuracy: number;
  /** s̄ of every chosen layer (mean per-sample activation norm over the reference images). */
  layerMeanScales: Record<string, number>;
  /** Where s̄ came from. */
  meanScaleSource: "given" | "reference" | "images";
  alphaMode: AlphaMode;
  /** The chosen layers, with block info when they are blocks. */
  layers: { name: string; layerIndex: number; position: number; label: string; shape: number[] }[];
  count: number;
  seconds: number;
  /**
   * Wall-clock seconds of the grid part per image and per (layer, α) cell. A cell re-runs only the
   * network after its layer, so late layers are cheaper than a full pass; the untouched walk is included.
   */
  secondsPerImagePerCell: number;
}

/**
 * Accuracy of `head` on the pooled features when the activations at each layer are rescaled by each
 * α (see the module comment). Synchronous inside a batch; yields to the event loop between batches.
 * @throws NotACutError for a layer that is not a cut (e.g. a layer inside a residual block);
 *   InvalidParameterError / ShapeMismatchError for bad options.
 */
export async function layerwiseRescaleGrid(options: LayerwiseRescaleOptions): Promise<LayerwiseRescaleResult> {
  const started = performance.now();
  checkEncoder(options.encoder);
  const alphaMode = checkGridOptions(options);
  const { alphas, head } = options;
  const batchSize = checkBatchSize(options.batchSize, 8);
  const src = imageProvider(options.images, "images");
  const n = src.count;
  if (n === 0) throw new InvalidParameterError("images", "expected at least one image");
  const labelsIn = options.labels ?? src.labels;
  if (labelsIn === undefined) throw new InvalidParameterError("labels", "expected one class label per image (none could be taken from images)");
  if (labelsIn.length !== n) throw new ShapeMismatchError("labels", `expected ${n} labels (one per image), got ${labelsIn.length}`);
  const labels = Int32Array.from(labelsIn);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(labelsIn[i]) || labels[i] < 0) throw new InvalidParameterError("labels", `expected integer class indices ≥ 0, got ${labelsIn[i]} at ${i}`);
  }

  const bb = await loadLayerwiseBackbone(options.encoder);
  const { tf } = await getTf();
  const layers = resolveLayers(bb, options.layers);
  const tensorsOf = (p: RgbImageProvider, argument: string): RescaleItems<TF.Tensor> => ({
    count: p.count,
    batch: (start, end) => tf.tensor4d(readBatch(p, start, end, bb.inputSize, argument), [end - start, bb.inputSize, bb.inputSize, 3], "float32"),
  });
  const grid = await layerRescaleGrid({
    network: backboneNetwork(tf, bb), items: tensorsOf(src, "images"), labels, head,
    cuts: layers, alphas, alphaMode, meanScales: options.meanScales,
    reference: options.reference !== undefined ? tensorsOf(imageProvider(options.reference, "reference"), "reference") : undefined,
    batchSize, label: options.label ?? `layerwise rescale ${options.encoder}`, progress: options.progress,
  });
  const layerOf = new Map(layers.map((l) => [l.name, l]));
  const blockOf = (name: string) => bb.blocks.find((b) => b.name === name);
  return {
    rows: grid.rows.map((r) => ({ layer: r.cut, layerIndex: layerOf.get(r.cut)!.layerIndex, alpha: r.alpha, accuracy: r.accuracy, targetNorm: r.targetNorm })),
    unrescaledAccuracy: grid.unrescaledAccuracy,
    layerMeanScales: grid.meanScales,
    meanScaleSource: grid.meanScaleSource === "items" ? "images" : grid.meanScaleSource, // the evaluated items are images here
    alphaMode,
    layers: layers.map((l) => ({
      name: l.name, layerIndex: l.layerIndex, position: l.position,
      label: blockOf(l.name)?.label ?? (l.name === bb.output ? "features" : l.name),
      shape: [...bb.runner.graph.byName.get(l.name)!.outputShape],
    })),
    count: n,
    seconds: (performance.now() - started) / 1000,
    secondsPerImagePerCell: grid.secondsPerItemPerCell,
  };
}
