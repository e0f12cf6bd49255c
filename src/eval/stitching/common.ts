/**
 * What the zero-shot stitching evaluators share: the input (one data set embedded by several
 * encoders, the same items in the same order), its validation, the seeded class-balanced anchor
 * draw, and the per-seed classification heads.
 */
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import { Matrix } from "../../linalg/matrix";
import { stratifiedSubset } from "../../data/subset";
import { resolveHeadSpec, trainHead, type ClassificationHead, type HeadSpec } from "../../heads/classifier";
import { relativeProjection } from "../../relative/relativeProjection";
import { checkLabels, toMatrix } from "../../validate";

/** One encoder's embeddings of the data set's train and test splits. */
export interface StitchingEncoder {
  /** Unique name (rows, matrices and errors refer to the encoder by it). */
  name: string;
  /** n_train × d embeddings of the train split. */
  train: Matrix;
  /** n_test × d embeddings of the test split (same d as `train`). */
  test: Matrix;
  /**
   * Optional item identifiers of the rows of `train` and `test`. When given (for any encoders),
   * every encoder that has them must list the same items in the same order; ids are compared as
   * strings, so 17 and "17" are the same item.
   */
  itemIds?: { train: ArrayLike<string | number>; test: ArrayLike<string | number> };
}

/** One data set seen through several encoders: row i of every `train` (`test`) is the same item. */
export interface StitchingData {
  /** Data set name, copied into every result row. */
  dataset: string;
  encoders: StitchingEncoder[];
  /** Integer class labels of the train items (one per row of every `train`). */
  trainLabels: ArrayLike<number>;
  /** Integer class labels of the test items. */
  testLabels: ArrayLike<number>;
}

/** Head settings; the seed is the run seed and the class count comes from the labels. */
export type StitchingHeadSpec = Omit<HeadSpec, "seed" | "numClasses">;

/**
 * Default head: logistic regression on the raw embeddings (the paper relies on the heads' scale
 * invariance, §3.4). Cheap at any width; pass `{ kind: "mlp", hidden: [256] }` for a small MLP.
 */
export const DEFAULT_STITCHING_HEAD: StitchingHeadSpec = { kind: "linear", epochs: 30, batchSize: 64, learningRate: 1e-2 };

/** What a custom head factory receives (e.g. to wrap `trainHead` in `cachedHead`). */
export interface HeadRequest {
  dataset: string;
  encoder: string;
  seed: number;
  /** "absolute": on the encoder's embeddings; "relative": on its cosines to its own anchors. */
  representation: "absolute" | "relative";
  x: Matrix;
  labels: Int32Array;
  /** The full spec to train with (seed = run seed, numClasses from the labels). */
  spec: HeadSpec;
}

export type HeadFactory = (request: HeadRequest) => Promise<ClassificationHead>;

export interface ValidatedData {
  dataset: string;
  encoders: StitchingEncoder[];
  trainLabels: Int32Array;
  testLabels: Int32Array;
  numClasses: number;
}

function checkIds(ids: unknown, rows: number, name: string, encoder: string): ArrayLike<string | number> {
  const a = ids as ArrayLike<unknown> | null | undefined;
  if (a === null || a === undefined || typeof a !== "object" || typeof a.length !== "number") {
    throw new InvalidParameterError(name, `encoder "${encoder}": expected an array of item ids`);
  }
  if (a.length !== rows) {
    throw new ShapeMismatchError(name, `encoder "${encoder}" has ${a.length} item ids for ${rows} embedded rows`);
  }
  return a as ArrayLike<string | number>;
}

/**
 * Validates the data set: at least two uniquely named encoders with finite train/test matrices of
 * one width each, the same item counts everywhere, labels matching the counts, and — where item ids
 * are given — the same items in the same order (the error names the encoder and the first
 * differing position). Runs before any head is trained.
 */
export function validateStitchingData(data: StitchingData): ValidatedData {
  if (data === null || typeof data !== "object") throw new InvalidParameterError("input", "expected an object");
  if (typeof data.dataset !== "string" || data.dataset === "") {
    throw new InvalidParameterError("dataset", `expected a non-empty name, got ${JSON.stringify(data.dataset)}`);
  }
  const encoders = data.encoders;
  if (!Array.isArray(encoders) || encoders.length < 2) {
    throw new InvalidParameterError("encoders", `stitching needs at least two encoders, got ${Array.isArray(encoders) ? encoders.length : typeof encoders}`);
  }
  const names = new Set<string>();
  encoders.forEach((e, i) => {
    if (e === null || typeof e !== "object" || typeof e.name !== "string" || e.name === "") {
      throw new InvalidParameterError(`encoders[${i}].name`, "expected a non-empty encoder name");
    }
    if (names.has(e.name)) throw new InvalidParameterError(`encoders[${i}].name`, `encoder name "${e.name}" appears twice; names must be unique`);
    names.add(e.name);
    for (const split of ["train", "test"] as const) {
      if (!(e[split] instanceof Matrix)) {
        throw new InvalidParameterError(`encoders[${i}].${split}`, `encoder "${e.name}": expected a Matrix (wrap nested arrays with Matrix.from)`);
      }
      toMatrix(e[split], `encoders[${i}].${split}`); // non-empty and finite
    }
    if (e.test.cols !== e.train.cols) {
      throw new ShapeMismatchError(`encoders[${i}].test`, `encoder "${e.name}" embeds train in ${e.train.cols} dimensions but test in ${e.test.cols}`);
    }
  });
  const first = encoders[0];
  encoders.forEach((e, i) => {
    for (const split of ["train", "test"] as const) {
      if (e[split].rows !== first[split].rows) {
        throw new ShapeMismatchError(
          `encoders[${i}].${split}`,
          `encoder "${e.name}" has ${e[split].rows} ${split} items, encoder "${first.name}" has ${first[split].rows}: every encoder must embed the same items`,
        );
      }
    }
  });
  // Item order: every encoder with ids against the first encoder with ids.
  let reference: { index: number; name: string; train: ArrayLike<string | number>; test: ArrayLike<string | number> } | undefined;
  encoders.forEach((e, i) => {
    if (e.itemIds === undefined) return;
    if (e.itemIds === null || typeof e.itemIds !== "object") {
      throw new InvalidParameterError(`encoders[${i}].itemIds`, `encoder "${e.name}": expected { train, test } id arrays`);
    }
    const train = checkIds(e.itemIds.train, e.train.rows, `encoders[${i}].itemIds.train`, e.name);
    const test = checkIds(e.itemIds.test, e.test.rows, `encoders[${i}].itemIds.test`, e.name);
    if (reference === undefined) {
      reference = { index: i, name: e.name, train, test };
      return;
    }
    for (const [split, ids, ref] of [["train", train, reference.train], ["test", test, reference.test]] as const) {
      for (let p = 0; p < ids.length; p++) {
        if (String(ids[p]) !== String(ref[p])) {
          throw new InvalidParameterError(
            `encoders[${i}].itemIds.${split}`,
            `encoder "${e.name}" lists ${split} item ${JSON.stringify(ids[p])} at position ${p} where encoder "${reference.name}" lists ${JSON.stringify(ref[p])}: ` +
              "every encoder must embed the same items in the same order",
          );
        }
      }
    }
  });
  const trainLabels = checkLabels(data.trainLabels, first.train.rows, "trainLabels", { what: "item" });
  const testLabels = checkLabels(data.testLabels, first.test.rows, "testLabels", { what: "item" });
  let max = 0;
  for (const l of [trainLabels, testLabels]) for (let i = 0; i < l.length; i++) max = Math.max(max, l[i]);
  if (new Set(trainLabels).size < 2) throw new InvalidParameterError("trainLabels", "a classifier needs at least two classes in the train split");
  return { dataset: data.dataset, encoders, trainLabels, testLabels, numClasses: max + 1 };
}

export function checkNumAnchors(numAnchors: unknown, trainRows: number): number {
  if (typeof numAnchors !== "number" || !Number.isInteger(numAnchors) || numAnchors < 2 || numAnchors > trainRows) {
    throw new InvalidParameterError("numAnchors", `expected an integer in 2..${trainRows} (the train items), got ${String(numAnchors)}`);
  }
  return numAnchors;
}

/** Validates the head settings early (before any work) and returns the spec without a seed. */
export function checkHeadSpec(head: StitchingHeadSpec | undefined): StitchingHeadSpec {
  const spec = head ?? DEFAULT_STITCHING_HEAD;
  if ((spec as HeadSpec).seed !== undefined || (spec as HeadSpec).numClasses !== undefined) {
    throw new InvalidParameterError("head", "leave out seed and numClasses: heads are seeded by the run seed and sized by the labels");
  }
  resolveHeadSpec({ ...spec, seed: 0 } as HeadSpec, "head");
  return spec;
}

/**
 * The anchors of one seed: `numAnchors` train items, class-balanced (`stratifiedSubset` with
 * `{ total }`), the same items for every encoder.
 */
export function drawAnchorIndices(trainLabels: Int32Array, numAnchors: number, seed: number): Int32Array {
  return stratifiedSubset(trainLabels, { total: numAnchors }, seed);
}

/** Relative representation used by the relative baseline: cosines to the encoder's own anchors. */
export function relativeOf(x: Matrix, anchors: Matrix, center: boolean): Matrix {
  return relativeProjection(x, anchors, { center });
}

/** Trains (or obtains from `factory`) one head; heads are silent (the evaluator has its own bar). */
export function obtainHead(
  v: ValidatedData, encoder: string, seed: number, representation: "absolute" | "relative", x: Matrix,
  spec: StitchingHeadSpec, factory: HeadFactory | undefined,
): Promise<ClassificationHead> {
  const full: HeadSpec = { ...spec, seed, numClasses: v.numClasses };
  if (factory) return factory({ dataset: v.dataset, encoder, seed, representation, x, labels: v.trainLabels, spec: full });
  return trainHead(x, v.trainLabels, full, { progress: false, label: `${v.dataset}/${encoder}/${representation}/seed ${seed}` });
}

/** Every ordered pair (A, B) of distinct encoders, A-major. */
export function orderedPairs<T>(items: readonly T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (const a of items) for (const b of items) if (a !== b) out.push([a, b]);
  return out;
}
