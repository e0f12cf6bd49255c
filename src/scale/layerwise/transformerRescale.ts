/**
 * Layer-wise rescaling inside the transformers trained here (Fig. 2 as the paper ran it, on
 * transformer encoders: ViTs on Fashion-MNIST, text transformers on WordNet). Layer 0 is the
 * embedding layer's output, layer l the output of block l; at a layer, every token's hidden vector
 * (the unit a LayerNorm normalises) is L2-normalised and multiplied by α·s̄, s̄ the layer's mean
 * token norm over the head's training items (or α itself, `alphaMode: "absolute"`); the rest of the
 * network runs from there (the encoder's `embeddingFrom`), and a head trained on the unrescaled
 * embeddings classifies. The grid loop is grid.ts's, shared with the Keras backbones; padding
 * tokens of a text batch are rescaled too (nothing reads them: attention masks them, the pooling
 * skips them) but do not count in s̄.
 *
 *   const ref = await transformerLayerFeatures({ encoder: vit, inputs: { images: train, indices: trainIdx } });
 *   const head = await trainHead(ref.features, trainLabels, { kind: "linear", … });
 *   const grid = await transformerRescaleGrid({ encoder: vit, inputs: { images: test, indices: testIdx }, head,
 *                                              alphas: [0.1, 1, 10], meanScales: ref.meanScales });
 */
import type * as TF from "@tensorflow/tfjs";
import type { BertTextEncoder, TokenBatch } from "../../encoders/trained/bert/index";
import type { ImageData } from "../../encoders/trained/imageNetwork";
import type { VitBatch, VitEncoder } from "../../encoders/trained/vit/index";
import { getTf, type Tf } from "../../engine/tf";
import type { ProgressMode } from "../../engine/progress";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import type { LayerWalkable } from "../../encoders/trained/transformer/stack";
import { Matrix } from "../../linalg/matrix";
import type { Predictor } from "../rescaleSweep";
import { assertLayerIndex, checkBatchSize, checkDistinctValues } from "../../validate";
import { checkGridOptions, layerRescaleGrid, meanUnitNorms, type RescaleItems, type RescaleNetwork } from "./grid";
import { activationNorms, rescaleActivation, type AlphaMode } from "./runFrom";

/** A transformer encoder of this project (ViT or text transformer). */
export type LayerwiseTransformer = VitEncoder | BertTextEncoder;

/** What the encoder reads: grey images (a ViT) or texts (a text transformer). */
export type TransformerInputs = { images: ImageData; indices: ArrayLike<number> } | { texts: readonly string[] };

/** The encoder on its own batch type B: the grid's network, and the caller's inputs as its items. */
interface EncoderWalk<B> {
  network: RescaleNetwork<B>;
  items(inputs: TransformerInputs, argument: string): RescaleItems<B>;
}

function isBert(e: LayerwiseTransformer): e is BertTextEncoder {
  return "vocabulary" in e;
}

function checkInputs(inputs: TransformerInputs, argument: string): void {
  if (inputs === null || typeof inputs !== "object") throw new InvalidParameterError(argument, "expected { images, indices } or { texts }");
}

function tokenRows(tf: Tf, h: TF.Tensor): TF.Tensor2D {
  return tf.reshape(h, [-1, h.shape[h.shape.length - 1]]) as TF.Tensor2D;
}

/**
 * A transformer as the grid's network: cuts are layer numbers ("0"…"depth"), units the real tokens
 * (`realTokens(b)`: the 0/1 mask of a padded text batch; undefined when every token is real).
 */
function transformerNetwork<B>(tf: Tf, e: LayerWalkable<B>, realTokens: (b: B) => Float32Array | undefined): RescaleNetwork<B> {
  return {
    walk: (b, cuts, atCut, atOutput) => {
      const wanted = new Set(cuts.map(Number));
      tf.tidy(() => {
        const out = e.walkLayers(b, (l, h) => {
          if (wanted.has(l)) atCut(String(l), h);
        });
        atOutput?.(out);
      });
    },
    runFrom: (b, cut, act) => tf.tidy(() => e.embeddingFrom(b, Number(cut), act as TF.Tensor3D)),
    unitNorms: (b, act) => {
      const norms = activationNorms(tf, tokenRows(tf, act));
      const mask = realTokens(b);
      return mask === undefined ? norms : norms.filter((_, i) => mask[i] === 1);
    },
    rescale: (_b, act, target) => tf.tidy(() => tf.reshape(rescaleActivation(tf, tokenRows(tf, act), target), act.shape)),
  };
}

function vitWalk(tf: Tf, encoder: VitEncoder): EncoderWalk<VitBatch> {
  return {
    network: transformerNetwork(tf, encoder, () => undefined), // images have no padding
    items: (inputs, argument) => {
      checkInputs(inputs, argument);
      if (!("images" in inputs) || inputs.indices === undefined) throw new InvalidParameterError(argument, `${encoder.id} is a ViT: give { images, indices }`);
      const { images, indices } = inputs;
      return { count: indices.length, batch: (start, end) => encoder.batch(images, Array.from({ length: end - start }, (_, k) => indices[start + k])) };
    },
  };
}

function bertWalk(tf: Tf, encoder: BertTextEncoder): EncoderWalk<TokenBatch> {
  return {
    network: transformerNetwork(tf, encoder, (b) => b.mask),
    items: (inputs, argument) => {
      checkInputs(inputs, argument);
      if (!("texts" in inputs) || !Array.isArray(inputs.texts)) throw new InvalidParameterError(argument, `${encoder.id} is a text transformer: give { texts }`);
      const texts = inputs.texts;
      return { count: texts.length, batch: (start, end) => encoder.batch(texts.slice(start, end)) };
    },
  };
}

/** `f` on the encoder's walk, whichever family it is (the batch type stays the encoder's own). */
function withWalk<T>(tf: Tf, encoder: LayerwiseTransformer, f: <B>(w: EncoderWalk<B>) => T): T {
  return isBert(encoder) ? f(bertWalk(tf, encoder)) : f(vitWalk(tf, encoder));
}

function checkLayers(encoder: LayerwiseTransformer, layers: readonly number[] | undefined): number[] {
  const depth = encoder.depth;
  const list = layers ?? Array.from({ length: depth + 1 }, (_, l) => l);
  return [...checkDistinctValues(list, "layers", (l, name) => assertLayerIndex(l, depth, name))];
}

export interface TransformerLayerFeaturesOptions {
  encoder: LayerwiseTransformer;
  inputs: TransformerInputs;
  /** Layers whose mean token norm is measured, default all (0…depth). */
  layers?: readonly number[];
  batchSize?: number;
}

export interface TransformerLayerFeatures {
  /** n × width embeddings (the encoder's own `embed`). */
  features: Matrix;
  /** Mean token norm s̄ per layer (keys "0"…"depth"). */
  meanScales: Record<string, number>;
  seconds: number;
}

/** One untouched pass: the embeddings (for the head) and each layer's mean token norm (for relative α). */
export async function transformerLayerFeatures(o: TransformerLayerFeaturesOptions): Promise<TransformerLayerFeatures> {
  const started = performance.now();
  const { tf } = await getTf();
  const layers = checkLayers(o.encoder, o.layers);
  return withWalk(tf, o.encoder, async ({ network: net, items: itemsOf }) => {
    const items = itemsOf(o.inputs, "inputs");
    const batchSize = checkBatchSize(o.batchSize, 64);
    const dim = o.encoder.spec.width;
    const features = new Matrix(items.count, dim);
    const meanScales = await meanUnitNorms(net, items, layers.map(String), batchSize, {
      atOutput: (f, start) => features.data.set(Float64Array.from(f.dataSync() as Float32Array), start * dim),
    });
    return { features, meanScales, seconds: (performance.now() - started) / 1000 };
  });
}

export interface TransformerRescaleOptions {
  encoder: LayerwiseTransformer;
  /** The evaluated items. */
  inputs: TransformerInputs;
  /** Their classes (default: the images' labels, for a ViT). */
  labels?: ArrayLike<number>;
  /** A frozen head trained on the UNRESCALED embeddings. */
  head: Predictor;
  /** Layers 0…depth to rescale at (default all). */
  layers?: readonly number[];
  alphas: readonly number[];
  alphaMode?: AlphaMode;
  /** s̄ per layer ("0"…), e.g. `transformerLayerFeatures(train).meanScales`; else measured on `reference` (or the inputs). */
  meanScales?: Record<string, number>;
  reference?: TransformerInputs;
  batchSize?: number;
  label?: string;
  progress?: boolean | ProgressMode;
}

export interface TransformerRescaleRow {
  /** 0 = embeddings, l = after block l. */
  layer: number;
  alpha: number;
  accuracy: number;
  /** The norm every token was rescaled to (α·s̄ or α). */
  targetNorm: number;
}

export interface TransformerRescaleResult {
  encoder: string;
  norm: "pre" | "post";
  depth: number;
  /** One row per (layer, α): layers in the order given, α in the order given. */
  rows: TransformerRescaleRow[];
  unrescaledAccuracy: number;
  layerMeanScales: Record<string, number>;
  /** Where s̄ came from: given, the reference items, or the evaluated items (images or texts). */
  meanScaleSource: "given" | "reference" | "items";
  alphaMode: AlphaMode;
  count: number;
  seconds: number;
  secondsPerItemPerCell: number;
}

/**
 * Accuracy of `head` on the embeddings when the hidden states at each layer are rescaled by each α
 * (see the module comment).
 * @throws InvalidParameterError / ShapeMismatchError for bad options (naming the argument).
 */
export async function transformerRescaleGrid(o: TransformerRescaleOptions): Promise<TransformerRescaleResult> {
  const started = performance.now();
  const alphaMode = checkGridOptions(o);
  const layers = checkLayers(o.encoder, o.layers);
  const { tf } = await getTf();
  return withWalk(tf, o.encoder, async ({ network, items: itemsOf }) => {
    const items = itemsOf(o.inputs, "inputs");
    if (items.count === 0) throw new InvalidParameterError("inputs", "expected at least one item");
    const given = o.labels ?? ("images" in o.inputs && o.inputs.images.labels ? Array.from(o.inputs.indices, (i) => (o.inputs as { images: ImageData }).images.labels![i]) : undefined);
    if (given === undefined) throw new InvalidParameterError("labels", "expected one class label per item");
    if (given.length !== items.count) throw new ShapeMismatchError("labels", `expected ${items.count} labels (one per item), got ${given.length}`);
    const grid = await layerRescaleGrid({
      network, items, labels: Int32Array.from(given), head: o.head,
      cuts: layers.map((l) => ({ name: String(l), position: l })), alphas: o.alphas, alphaMode, meanScales: o.meanScales,
      reference: o.reference !== undefined ? itemsOf(o.reference, "reference") : undefined,
      batchSize: checkBatchSize(o.batchSize, 64), label: o.label ?? `layerwise rescale ${o.encoder.id}`, progress: o.progress,
    });
    return {
      encoder: o.encoder.id, norm: o.encoder.spec.norm, depth: o.encoder.depth,
      rows: grid.rows.map((r) => ({ layer: Number(r.cut), alpha: r.alpha, accuracy: r.accuracy, targetNorm: r.targetNorm })),
      unrescaledAccuracy: grid.unrescaledAccuracy, layerMeanScales: grid.meanScales, meanScaleSource: grid.meanScaleSource, alphaMode,
      count: items.count, seconds: (performance.now() - started) / 1000, secondsPerItemPerCell: grid.secondsPerItemPerCell,
    };
  });
}
