/**
 * Three ImageNet-pretrained image backbones, loaded offline from the files of the npm package
 * `nsfwjs@4.4.0` (MIT), used as stand-ins for the paper's image encoders.
 *
 * What the package holds (dist/models/<name>/): a `model.min.js` and `group1-shardKofN.min.js`
 * files. They are browserify UMD bundles, not JSON/binary: `model.min.js` exports the model.json
 * object (topology + weightsManifest) and each shard exports its weight bytes as one base64 string.
 * Every weight is uint8-quantised (`quantization: { dtype: "uint8", min, scale }`); tfjs dequantises
 * on load. We evaluate the bundles in this realm (no `require` cache: the tens of MB of base64 are
 * freed after loading), decode the shards, concatenate them in manifest order and hand the
 * artifacts to `tf.loadLayersModel` / `tf.loadGraphModel` through an in-memory `tf.io` handler —
 * no network, no nsfwjs code, no `import.meta`.
 *
 * The encoders (the pooled features before nsfwjs's 5-class head):
 *   - `mobilenet_v2`: Keras MobileNetV2 (α = 1.0), 224 px; output of layer `flatten_1`, which
 *     flattens the 7×7 `average_pooling2d_1` (= global average pooling) → 1280-d.
 *   - `mobilenet_v2_mid`: TF-Hub MobileNetV2 (α = 1.4) feature-vector graph model, 224 px;
 *     executed up to node `…/predict/feature_vector/SpatialSqueeze` → 1792-d.
 *   - `inception_v3`: Keras InceptionV3, 299 px; layer `flatten_1` after the 8×8
 *     `average_pooling2d_10` on `mixed10` → 2048-d.
 *
 * Preprocessing is nsfwjs's: pixels divided by 255, i.e. RGB in [0, 1] (not [-1, 1], although the
 * Keras ImageNet originals used [-1, 1]: nsfwjs fine-tuned them with [0, 1] inputs), NHWC,
 * bilinear resize to the input size. Our data loaders (`fashionMnistBatch`, `emojiBatch`) already
 * give RGB in [0, 1] at a chosen size, so `embed` takes such batches directly. Embedding a data set
 * through the embedding cache: embedImages.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInThisContext } from "node:vm";
import type * as TF from "@tensorflow/tfjs";
import { InvalidParameterError, ShapeMismatchError, NonFiniteError } from "../../errors";
import { getTf } from "../../engine/tf";
import { Matrix } from "../../linalg/matrix";
import { installedPackage, PretrainedModelError } from "./packageDir";

export { PretrainedModelError };

export type ImageBackboneId = "mobilenet_v2" | "mobilenet_v2_mid" | "inception_v3";

/** The nsfwjs version whose files are read; other versions are refused (cache keys depend on it). */
export const NSFWJS_VERSION = "4.4.0";
/** Version of the cached embeddings: bump when the weights, preprocessing or feature layer change. */
export const IMAGE_EMBEDDING_VERSION = "nsfwjs-4.4.0-1";
export const IMAGE_BACKBONE_LICENSE = "MIT (nsfwjs); weights fine-tuned from ImageNet-pretrained backbones";

export interface ImageBackboneInfo {
  id: ImageBackboneId;
  /** Embedding dimension. */
  dim: number;
  /** Input side in pixels (images are inputSize × inputSize × 3, RGB in [0, 1]). */
  inputSize: number;
  architecture: string;
  /** "layers" (Keras layers model) or "graph" (TF SavedModel graph). */
  format: "layers" | "graph";
  /** Layer name (layers models) or node name (graph model) whose output is the embedding. */
  featureOutput: string;
  /** Folder of the model files inside the nsfwjs package. */
  packagePath: string;
  license: string;
}

interface Spec {
  dim: number;
  inputSize: number;
  format: "layers" | "graph";
  architecture: string;
  /** Layer name, or the suffix of the graph node name. */
  feature: string;
}

const SPECS: Record<ImageBackboneId, Spec> = {
  mobilenet_v2: {
    dim: 1280, inputSize: 224, format: "layers", feature: "flatten_1",
    architecture: "MobileNetV2 (α=1.0, Keras), global average pool",
  },
  mobilenet_v2_mid: {
    dim: 1792, inputSize: 224, format: "graph", feature: "/feature_vector/SpatialSqueeze",
    architecture: "MobileNetV2 (α=1.4, TF-Hub feature vector graph model), global average pool",
  },
  inception_v3: {
    dim: 2048, inputSize: 299, format: "layers", feature: "flatten_1",
    architecture: "InceptionV3 (Keras), global average pool of mixed10",
  },
};

export const IMAGE_BACKBONE_IDS: readonly ImageBackboneId[] = Object.freeze(Object.keys(SPECS) as ImageBackboneId[]);

/** Graph node name (full) of mobilenet_v2_mid's pooled features, as found in nsfwjs 4.4.0. */
const GRAPH_FEATURE_NODE =
  "StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze";

/** `id` as one of the backbones' ids. @throws InvalidParameterError (argument "encoder"). */
export function assertImageBackboneId(id: unknown): asserts id is ImageBackboneId {
  if (typeof id !== "string" || !(id in SPECS)) {
    throw new InvalidParameterError("encoder", `expected one of ${IMAGE_BACKBONE_IDS.join(", ")}, got ${JSON.stringify(id)}`);
  }
}

/** The three backbones: id, dimension, input size, architecture, license. Does not load anything heavy. */
export function listImageBackbones(): ImageBackboneInfo[] {
  return IMAGE_BACKBONE_IDS.map(imageBackboneInfo);
}

/** One backbone's description (no model is loaded). */
export function imageBackboneInfo(id: ImageBackboneId): ImageBackboneInfo {
  const s = SPECS[id];
  return {
    id, dim: s.dim, inputSize: s.inputSize, architecture: s.architecture, format: s.format,
    featureOutput: s.format === "graph" ? GRAPH_FEATURE_NODE : s.feature,
    packagePath: `nsfwjs@${NSFWJS_VERSION}/dist/models/${id}`,
    license: IMAGE_BACKBONE_LICENSE,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the package's model files.

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** The nsfwjs package folder, refusing other versions. */
export function nsfwjsModelDir(id: ImageBackboneId): string {
  assertImageBackboneId(id);
  const pkg = installedPackage("nsfwjs");
  if (pkg.version !== NSFWJS_VERSION) {
    throw new PretrainedModelError(
      "nsfwjs",
      `expected version ${NSFWJS_VERSION} (pinned: cached embeddings are keyed by it), found ${pkg.version} in ${pkg.dir}; run "npm ci"`,
    );
  }
  return join(pkg.dir, "dist", "models", id);
}

/**
 * Evaluates one of nsfwjs's browserify UMD bundles and returns what it exports. The bundle takes
 * the CommonJS branch (`module.exports = …`) because `module` and `exports` are in scope.
 */
function evalBundle(file: string): unknown {
  let code: string;
  try {
    code = readFileSync(file, "utf8");
  } catch (e) {
    throw new PretrainedModelError(file, `cannot read the model file (${(e as Error).message}); run "npm ci"`);
  }
  const module = { exports: {} as unknown };
  const fn = runInThisContext(`(function (module, exports) {${code}\n})`, { filename: file }) as (m: unknown, e: unknown) => void;
  fn(module, module.exports);
  return module.exports;
}

/** model.json and the concatenated weight bytes of a backbone, straight from the package files. */
export function readModelArtifacts(id: ImageBackboneId): TF.io.ModelArtifacts {
  const dir = nsfwjsModelDir(id);
  const jsonFile = join(dir, "model.min.js");
  const json = evalBundle(jsonFile) as ModelJson;
  if (json === null || typeof json !== "object" || !Array.isArray(json.weightsManifest) || json.modelTopology == null) {
    throw new PretrainedModelError(jsonFile, "expected a model.json object with modelTopology and weightsManifest");
  }
  const weightSpecs: TF.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const shardFile = join(dir, `${path}.min.js`);
      const base64 = evalBundle(shardFile);
      if (typeof base64 !== "string" || base64.length === 0) {
        throw new PretrainedModelError(shardFile, "expected the bundle to export the shard's bytes as a base64 string");
      }
      const buf = Buffer.from(base64, "base64");
      parts.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    }
    weightSpecs.push(...group.weights);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.length;
  }
  const expected = weightSpecs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * bytesPerValue(w), 0);
  if (expected !== total) {
    throw new PretrainedModelError(dir, `the weight shards hold ${total} bytes, the manifest describes ${expected}`);
  }
  return {
    modelTopology: json.modelTopology as TF.io.ModelArtifacts["modelTopology"],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata as TF.io.ModelArtifacts["userDefinedMetadata"],
    weightSpecs,
    weightData: weightData.buffer,
  };
}

function bytesPerValue(w: TF.io.WeightsManifestEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  switch (dtype) {
    case "uint8":
    case "bool":
      return 1;
    case "uint16":
    case "float16":
      return 2;
    default:
      return 4;
  }
}

// ---------------------------------------------------------------------------------------------
// Loaded backbones.

export interface EmbedOptions {
  /** Images per forward pass (default 16). Larger batches are not faster on wasm and use more memory. */
  batchSize?: number;
}

export interface ImageBackbone extends ImageBackboneInfo {
  /** Seconds the loading took (reading files, decoding, building the model, a warm-up pass). */
  loadSeconds: number;
  /**
   * Embeds `n` images given as one n × inputSize × inputSize × 3 array of RGB values in [0, 1]
   * (row-major NHWC, e.g. `fashionMnistBatch(data, indices, inputSize)`): an n × dim Matrix.
   */
  embed(rgbBatch: Float32Array, n: number, options?: EmbedOptions): Promise<Matrix>;
  /** Frees the model's weights; the backbone must be loaded again to be used. */
  dispose(): void;
}

const loading = new Map<ImageBackboneId, Promise<ImageBackbone>>();

/** Loads a backbone from the local nsfwjs files (memoised: later calls return the same model). */
export function loadImageBackbone(id: ImageBackboneId): Promise<ImageBackbone> {
  assertImageBackboneId(id);
  let p = loading.get(id);
  if (p === undefined) {
    p = load(id).catch((e: unknown) => {
      loading.delete(id);
      throw e;
    });
    loading.set(id, p);
  }
  return p;
}

/** Disposes a loaded backbone (if any) and forgets it. */
export async function disposeImageBackbone(id: ImageBackboneId): Promise<void> {
  assertImageBackboneId(id);
  const p = loading.get(id);
  if (p === undefined) return;
  loading.delete(id);
  try {
    (await p).dispose();
  } catch {
    // failed loads have nothing to dispose
  }
}

async function load(id: ImageBackboneId): Promise<ImageBackbone> {
  const started = performance.now();
  const { tf } = await getTf();
  const spec = SPECS[id];
  const info = imageBackboneInfo(id);
  const artifacts = readModelArtifacts(id);
  const handler: TF.io.IOHandler = { load: async () => artifacts };

  let forward: (x: TF.Tensor4D) => TF.Tensor;
  let disposeModel: () => void;
  if (spec.format === "layers") {
    const full = await tf.loadLayersModel(handler);
    const layer = full.layers.find((l) => l.name === spec.feature);
    if (layer === undefined) {
      full.dispose();
      throw new PretrainedModelError(info.packagePath, `expected a layer named "${spec.feature}" in the model`);
    }
    const out = layer.output as TF.SymbolicTensor;
    if (out.shape.length !== 2 || out.shape[1] !== spec.dim) {
      full.dispose();
      throw new PretrainedModelError(info.packagePath, `expected layer ${spec.feature} to output [null, ${spec.dim}], found ${JSON.stringify(out.shape)}`);
    }
    const features = tf.model({ inputs: full.inputs, outputs: out });
    forward = (x) => features.predict(x) as TF.Tensor;
    disposeModel = () => full.dispose(); // the feature model shares (and does not own more than) its weights
  } else {
    const graph = await tf.loadGraphModel(handler);
    const node = GRAPH_FEATURE_NODE;
    forward = (x) => graph.execute(x, node) as TF.Tensor;
    disposeModel = () => graph.dispose();
  }

  // Warm-up pass on one blank image: checks the output shape and pays wasm's first-call costs here.
  const probe = tf.tidy(() => forward(tf.zeros([1, spec.inputSize, spec.inputSize, 3]) as TF.Tensor4D));
  try {
    if (probe.shape.length !== 2 || probe.shape[0] !== 1 || probe.shape[1] !== spec.dim) {
      throw new PretrainedModelError(info.packagePath, `expected features of shape [1, ${spec.dim}], got ${JSON.stringify(probe.shape)}`);
    }
    await probe.data();
  } catch (e) {
    disposeModel();
    throw e;
  } finally {
    probe.dispose();
  }

  let disposed = false;
  return {
    ...info,
    loadSeconds: (performance.now() - started) / 1000,
    async embed(rgbBatch: Float32Array, n: number, options: EmbedOptions = {}): Promise<Matrix> {
      if (disposed) throw new InvalidParameterError("backbone", `${id} has been disposed; load it again`);
      checkBatch(rgbBatch, n, spec.inputSize);
      const batchSize = options.batchSize ?? 16;
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new InvalidParameterError("batchSize", `expected an integer ≥ 1, got ${batchSize}`);
      }
      const per = spec.inputSize * spec.inputSize * 3;
      const out = new Matrix(n, spec.dim);
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const pixels = rgbBatch.subarray(start * per, end * per);
        const y = tf.tidy(() => forward(tf.tensor4d(pixels, [end - start, spec.inputSize, spec.inputSize, 3], "float32")));
        try {
          const values = (await y.data()) as Float32Array;
          out.data.set(values, start * spec.dim);
        } finally {
          y.dispose();
        }
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      disposeModel();
    },
  };
}

function checkBatch(rgb: Float32Array, n: number, size: number): void {
  if (!(rgb instanceof Float32Array)) throw new InvalidParameterError("rgbBatch", "expected a Float32Array of RGB values in [0, 1]");
  if (!Number.isInteger(n) || n < 0) throw new InvalidParameterError("n", `expected a non-negative integer, got ${n}`);
  const per = size * size * 3;
  if (rgb.length !== n * per) {
    throw new ShapeMismatchError(
      "rgbBatch",
      `expected ${n} × ${size} × ${size} × 3 = ${n * per} values (RGB images at the backbone's input size ${size} px), got ${rgb.length}`,
    );
  }
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i];
    if (!Number.isFinite(v)) throw new NonFiniteError("rgbBatch", Math.floor(i / per), i % per, v);
    if (v < -1e-3 || v > 1 + 1e-3) {
      throw new InvalidParameterError(
        "rgbBatch",
        `expected RGB values in [0, 1] (nsfwjs divides bytes by 255), found ${v} in image ${Math.floor(i / per)}`,
      );
    }
  }
}
