/**
 * What the stitching notebooks (Table 2, Fig. 6, Fig. 7) get from a data set: the same train and
 * test items embedded by several encoders, row i of every matrix being the same item, plus labels,
 * class names and a description of each encoder. `assembleSpaces` builds it from per-encoder
 * embeddings: it checks that every encoder lists the same item ids in the same order, drops the
 * items that some encoder cannot embed (a zero row: a text without any known word), and validates
 * the result with `validateStitchingData`, so a misaligned encoder fails here and not as a silently
 * wrong accuracy later.
 */
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { Matrix, selectRows } from "../linalg/matrix";
import { validateStitchingData, type StitchingData, type StitchingEncoder } from "../eval/stitching/index";

export type Modality = "image" | "text";

export interface SpaceEncoderInfo {
  name: string;
  dim: number;
  modality: Modality;
  kind: "pretrained" | "self-trained";
  description: string;
}

/** One data set seen through several encoders, aligned item by item (a `StitchingData`). */
export interface StitchingSpaces extends StitchingData {
  /** Every encoder carries `itemIds` (verified equal across encoders). */
  encoders: StitchingEncoder[];
  trainLabels: Int32Array;
  testLabels: Int32Array;
  classNames: string[];
  info: SpaceEncoderInfo[];
  /** Item ids of the rows (the same for every encoder). */
  itemIds: { train: string[]; test: string[] };
  /** Items dropped because some encoder embedded them to a zero (or non-finite) vector. */
  dropped: { train: number; test: number };
  /** One line: what the items are and how they were chosen. */
  description: string;
}

/** One encoder's embeddings before assembly. */
export interface EncoderEmbeddings {
  info: Omit<SpaceEncoderInfo, "dim">;
  train: Matrix;
  test: Matrix;
  /** Ids of the items the rows embed, as the embedding call reported them. */
  trainIds: ArrayLike<string>;
  testIds: ArrayLike<string>;
}

export interface AssembleOptions {
  dataset: string;
  description: string;
  classNames: string[];
  /** Labels and ids of the requested items (the reference order every encoder must follow). */
  train: { ids: ArrayLike<string>; labels: ArrayLike<number> };
  test: { ids: ArrayLike<string>; labels: ArrayLike<number> };
  encoders: EncoderEmbeddings[];
}

function usableRow(m: Matrix, i: number): boolean {
  let nonZero = false;
  for (let j = 0; j < m.cols; j++) {
    const v = m.data[i * m.cols + j];
    if (!Number.isFinite(v)) return false;
    if (v !== 0) nonZero = true;
  }
  return nonZero;
}

function checkOrder(name: string, split: string, ids: ArrayLike<string>, reference: ArrayLike<string>, rows: number): void {
  if (ids.length !== reference.length || rows !== reference.length) {
    throw new ShapeMismatchError(`${name}.${split}`, `encoder "${name}" embeds ${rows} ${split} items with ${ids.length} ids; ${reference.length} were requested`);
  }
  for (let i = 0; i < ids.length; i++) {
    if (String(ids[i]) !== String(reference[i])) {
      throw new InvalidParameterError(
        `${name}.${split}`,
        `encoder "${name}" lists ${split} item ${JSON.stringify(ids[i])} at position ${i} where ${JSON.stringify(reference[i])} was requested`,
      );
    }
  }
}

/**
 * Aligned spaces from per-encoder embeddings (see the module comment).
 * @throws InvalidParameterError / ShapeMismatchError naming the encoder whose items differ from
 *   the requested ones (or come in another order), or when nothing is left after dropping.
 */
export function assembleSpaces(o: AssembleOptions): StitchingSpaces {
  if (o.encoders.length < 2) throw new InvalidParameterError("encoders", `stitching needs at least two encoders, got ${o.encoders.length}`);
  for (const e of o.encoders) {
    checkOrder(e.info.name, "train", e.trainIds, o.train.ids, e.train.rows);
    checkOrder(e.info.name, "test", e.testIds, o.test.ids, e.test.rows);
  }
  const keep = (split: "train" | "test") => {
    const n = o[split].ids.length;
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (o.encoders.every((e) => usableRow(e[split], i))) out.push(i);
    return Int32Array.from(out);
  };
  const keepTrain = keep("train"), keepTest = keep("test");
  if (keepTrain.length < 2 || keepTest.length < 1) {
    throw new InvalidParameterError("encoders", `only ${keepTrain.length} train / ${keepTest.length} test items are embedded by every encoder`);
  }
  const pick = <T>(a: ArrayLike<T>, idx: Int32Array): T[] => Array.from(idx, (i) => a[i]);
  const trainIds = pick(o.train.ids, keepTrain).map(String);
  const testIds = pick(o.test.ids, keepTest).map(String);
  const encoders: StitchingEncoder[] = o.encoders.map((e) => ({
    name: e.info.name,
    train: selectRows(e.train, keepTrain),
    test: selectRows(e.test, keepTest),
    // Each encoder's own ids (not the reference's), so validateStitchingData re-checks the alignment.
    itemIds: { train: pick(e.trainIds, keepTrain).map(String), test: pick(e.testIds, keepTest).map(String) },
  }));
  const spaces: StitchingSpaces = {
    dataset: o.dataset,
    encoders,
    trainLabels: Int32Array.from(keepTrain, (i) => o.train.labels[i]),
    testLabels: Int32Array.from(keepTest, (i) => o.test.labels[i]),
    classNames: [...o.classNames],
    info: o.encoders.map((e) => ({ ...e.info, dim: e.train.cols })),
    itemIds: { train: trainIds, test: testIds },
    dropped: { train: o.train.ids.length - keepTrain.length, test: o.test.ids.length - keepTest.length },
    description: o.description,
  };
  validateStitchingData(spaces);
  return spaces;
}

/** The spaces restricted to some encoders (in the given order). */
export function selectEncoders(spaces: StitchingSpaces, names: readonly string[]): StitchingSpaces {
  const encoders = names.map((n) => {
    const e = spaces.encoders.find((x) => x.name === n);
    if (!e) throw new InvalidParameterError("names", `no encoder "${n}" in ${spaces.dataset} (have ${spaces.encoders.map((x) => x.name).join(", ")})`);
    return e;
  });
  return { ...spaces, encoders, info: names.map((n) => spaces.info.find((i) => i.name === n)!) };
}

/**
 * The `count` most frequent classes of `labels` (ties: lower class index first), and a label map
 * old → new (−1 for dropped classes) that numbers the kept classes in their original order.
 */
export function topClasses(labels: ArrayLike<number>, count: number): { kept: number[]; map: Map<number, number> } {
  if (!Number.isInteger(count) || count < 2) throw new InvalidParameterError("count", `expected an integer ≥ 2, got ${count}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, count).map(([c]) => c);
  const kept = ranked.sort((a, b) => a - b);
  return { kept, map: new Map(kept.map((c, i) => [c, i] as const)) };
}
