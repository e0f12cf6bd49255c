/**
 * Glue for the stitching notebooks (Table 2, Fig. 6, Fig. 7) on top of `src/eval/stitching`:
 *
 *   memoHeadFactory()        heads trained once per (data set, encoder, seed, representation, data)
 *                            and reused across `evaluateStitching` / `reconstructionAndAccuracy` calls
 *   chooseIrpForSpaces()     (ω, δ) from the anchors alone (`chooseIrpPerPair`) on one seed's stitching
 *                            anchors, for every ordered pair and for the whole data set
 *   evaluatePairs()          stitching accuracy of any translator (`runStitching`, evaluateStitching's protocol)
 *   evaluateIrpPerPair()     … of IRP with a different (ω, δ) per pair
 *   labelled / wideTable     Table 2 as one row per method and one column per data set
 *   chanceLevels, modalityBlocks, pairMatrix
 */
import { getTf } from "../engine/tf";
import type { ProgressMode } from "../engine/progress";
import { InvalidParameterError } from "../errors";
import { validateStitchingData, type HeadFactory } from "../eval/stitching/common";
import {
  drawAnchorIndices, runStitching, stitchingMatrix, type StitchingData, type StitchingHeadSpec, type StitchingMatrix, type StitchingMatrixOptions,
  type StitchingRow, type StitchingSummaryRow,
} from "../eval/stitching/index";
import { chooseIrpPerPair, type IrpChoice, type IrpChoiceOptions } from "../eval/irpChoice";
import { ClassificationHead, trainHead } from "../heads/classifier";
import type { HeadState } from "../heads/spec";
import { selectRows, type Matrix } from "../linalg/matrix";
import { createTranslator } from "../translate/createTranslator";
import { IRP_DEFAULTS } from "../translate/irp";
import { assertPruneSide, type PruneSide } from "../validate";
import type { Translator } from "../translate/translator";
import type { Modality } from "./spaces";

// ---------------------------------------------------------------------------------------------
// Heads

function checksum(x: Matrix): number {
  let s = 0;
  const d = x.data;
  for (let i = 0; i < d.length; i++) s += d[i] * ((i % 97) + 1);
  return s;
}

export interface MemoHeadFactory extends HeadFactory {
  /** Heads trained so far (cache misses). */
  readonly trained: () => number;
  /** Requests answered from memory. */
  readonly reused: () => number;
}

/**
 * A head factory that trains each head once and afterwards returns a fresh head with the same
 * weights (a head's tensors are freed by the evaluators after each seed; the state stays here).
 * The key holds the data set, encoder, seed, representation, the full spec, the training matrix's
 * shape and a checksum of its values, so different training data never share a head.
 */
export function memoHeadFactory(): MemoHeadFactory {
  const states = new Map<string, Promise<HeadState>>();
  let trained = 0, reused = 0;
  const factory = (async (request) => {
    const key = JSON.stringify([request.dataset, request.encoder, request.seed, request.representation, request.spec, request.x.rows, request.x.cols, checksum(request.x)]);
    let state = states.get(key);
    if (state === undefined) {
      trained++;
      state = (async () => {
        const head = await trainHead(request.x, request.labels, request.spec, { progress: false, label: `${request.dataset}/${request.encoder}/${request.representation}/seed ${request.seed}` });
        const s = head.state;
        head.dispose();
        return s;
      })();
      states.set(key, state);
    } else {
      reused++;
    }
    const { tf } = await getTf();
    return new ClassificationHead(tf, await state);
  }) as MemoHeadFactory;
  Object.assign(factory, { trained: () => trained, reused: () => reused });
  return factory;
}

// ---------------------------------------------------------------------------------------------
// Choosing (ω, δ) from the anchors

export interface ChooseIrpOptions extends Omit<IrpChoiceOptions, "label"> {
  /** Anchors drawn as `evaluateStitching` draws them for `seed` (class-balanced from the train split). */
  numAnchors: number;
}

/**
 * The anchor-only (ω, δ) choice (`chooseIrpPerPair`) on one seed's stitching anchors: the
 * `numAnchors` class-balanced train items `evaluateStitching` draws for `seed` (default 0), every
 * ordered pair of encoders and one setting for the whole data set. Uses only train items.
 */
export function chooseIrpForSpaces(data: StitchingData, o: ChooseIrpOptions): IrpChoice {
  const started = performance.now();
  const v = validateStitchingData(data);
  const seed = o.seed ?? 0;
  const idx = drawAnchorIndices(v.trainLabels, o.numAnchors, seed);
  const choice = chooseIrpPerPair(v.encoders.map((e) => ({ name: e.name, anchors: selectRows(e.train, idx) })), {
    ...o, seed, label: `choosing ω, δ on ${v.dataset} anchors`,
  });
  return { ...choice, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Any translator, or IRP with a setting per pair

export interface PairEvaluationOptions {
  numAnchors: number;
  seeds: number[];
  /** The method recorded on the rows. */
  method: StitchingRow["method"];
  /** A fresh, unfitted translator for one ordered pair and seed (return ω, δ to record them on the row). */
  translator: (source: string, target: string, seed: number) => { translator: Translator; omega?: number; delta?: number };
  head?: StitchingHeadSpec;
  headFactory?: HeadFactory;
  /** Default false (silent); true or a mode shows a bar over seeds × pairs. */
  progress?: boolean | ProgressMode;
}

/**
 * Stitching accuracy of any translator, pair by pair: `runStitching` with one translator fitted on
 * each pair's anchors — the protocol of `evaluateStitching` (same anchors, heads obtained the same
 * way: with a shared `memoHeadFactory` they are the same weights). Rows look like `evaluateStitching`'s.
 */
export async function evaluatePairs(data: StitchingData, o: PairEvaluationOptions): Promise<StitchingRow[]> {
  const run = await runStitching(data, {
    numAnchors: o.numAnchors, seeds: o.seeds, head: o.head, headFactory: o.headFactory, progress: o.progress ?? false,
    translators: [(pair) => {
      const made = o.translator(pair.source.name, pair.target.name, pair.seed);
      const t = made.translator.fit(pair.anchorsOf(pair.source.name), pair.anchorsOf(pair.target.name));
      return [{ translated: t.transform(pair.source.test), omega: made.omega ?? null, delta: made.delta ?? null }];
    }],
    record: (pair, t, accuracy): StitchingRow => ({
      dataset: pair.data.dataset, seed: pair.seed, source: pair.source.name, target: pair.target.name, method: o.method,
      accuracy, achievable: true, reason: "", omega: t.omega, delta: t.delta,
    }),
  });
  return run.rows;
}

export interface PerPairOptions {
  numAnchors: number;
  seeds: number[];
  /** (ω, δ) of every ordered pair (e.g. `chooseIrpForSpaces(...).perPair`). */
  settings: Array<{ source: string; target: string; omega: number; delta: number }>;
  prune?: PruneSide;
  head?: StitchingHeadSpec;
  headFactory?: HeadFactory;
}

/**
 * Stitching accuracy of IRP with each pair's own (ω, δ) (`evaluatePairs` with IRP seeded by the run
 * seed, as `evaluateStitching` seeds it); the rows carry each pair's ω and δ.
 */
export async function evaluateIrpPerPair(data: StitchingData, o: PerPairOptions): Promise<StitchingRow[]> {
  const setting = new Map(o.settings.map((s) => [`${s.source}\u0000${s.target}`, s] as const));
  for (const a of data.encoders) for (const b of data.encoders) {
    if (a !== b && !setting.has(`${a.name}\u0000${b.name}`)) throw new InvalidParameterError("settings", `no (ω, δ) for the pair ${a.name} → ${b.name}`);
  }
  const prune = assertPruneSide(o.prune ?? IRP_DEFAULTS.prune);
  return evaluatePairs(data, {
    numAnchors: o.numAnchors, seeds: o.seeds, method: "irp", head: o.head, headFactory: o.headFactory,
    translator: (source, target, seed) => {
      const s = setting.get(`${source}\u0000${target}`)!;
      return { translator: createTranslator("irp", { omega: s.omega, delta: s.delta, seed, prune }), omega: s.omega, delta: s.delta };
    },
  });
}

/**
 * `stitchingMatrix` for rows whose (ω, δ) may differ per pair (from `evaluateIrpPerPair`): the
 * settings are ignored, every pair keeps its own.
 */
export function pairMatrix(rows: readonly StitchingRow[], method: StitchingRow["method"], options: StitchingMatrixOptions = {}): StitchingMatrix {
  return stitchingMatrix(rows.map((r) => ({ ...r, omega: null, delta: null })), method, options);
}

// ---------------------------------------------------------------------------------------------
// Tables

/** A summary row with the label it gets in Table 2 ("IRP (tuned)", "Procrustes", …). */
export interface LabelledSummary extends StitchingSummaryRow {
  label: string;
}

export function labelled(rows: readonly StitchingSummaryRow[], label: (r: StitchingSummaryRow) => string | undefined): LabelledSummary[] {
  const out: LabelledSummary[] = [];
  for (const r of rows) {
    const l = label(r);
    if (l !== undefined) out.push({ ...r, label: l });
  }
  return out;
}

/**
 * Table 2 as the paper lays it out: one row per label (in first-appearance order), one column per
 * data set, cells "mean ± std"; where a method could not handle every pair, the cell adds
 * "(achievable/pairs)", and "n/a (0/pairs)" when it handled none. `extraRows` are appended as is.
 */
export function wideTable(entries: readonly LabelledSummary[], datasets: readonly string[], digits = 3, extraRows: Array<Record<string, string>> = []): Array<Record<string, string>> {
  const labels: string[] = [];
  for (const e of entries) if (!labels.includes(e.label)) labels.push(e.label);
  const rows = labels.map((label) => {
    const row: Record<string, string> = { method: label };
    for (const d of datasets) {
      const e = entries.find((x) => x.label === label && x.dataset === d);
      if (!e) {
        row[d] = "";
        continue;
      }
      const partial = e.achievable < e.pairs ? ` (${e.achievable}/${e.pairs})` : "";
      row[d] = Number.isFinite(e.mean) ? `${e.mean.toFixed(digits)} ± ${e.std.toFixed(digits)}${partial}` : `n/a${partial}`;
    }
    return row;
  });
  return [...rows, ...extraRows];
}

/** Each encoder's accuracy with its own head ("non-stitch" rows): mean and population std over seeds. */
export function ownHeadAccuracy(rows: readonly StitchingRow[]): Array<{ encoder: string; mean: number; std: number; seeds: number }> {
  const by = new Map<string, number[]>();
  for (const r of rows) if (r.method === "non-stitch") by.set(r.source, [...(by.get(r.source) ?? []), r.accuracy]);
  return [...by.entries()].map(([encoder, a]) => {
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    return { encoder, mean, std: Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length), seeds: a.length };
  });
}

/** Uniform chance (1 / classes present) and the majority-class rate of a label vector. */
export function chanceLevels(labels: ArrayLike<number>): { uniform: number; majority: number; classes: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return { uniform: 1 / counts.size, majority: Math.max(...counts.values()) / labels.length, classes: counts.size };
}

/**
 * Mean stitching accuracy per (encoder modality → decoder modality) block of an encoder × decoder
 * matrix (rows = encoders, as `stitchingMatrix` returns by default), over the finite off-diagonal cells.
 */
export function modalityBlocks(m: StitchingMatrix, modalityOf: (name: string) => Modality): Array<{ encoder: Modality; decoder: Modality; mean: number; cells: number }> {
  if (m.rowTitle !== "encoder") throw new InvalidParameterError("m", "expected a matrix with encoders along the rows");
  const out: Array<{ encoder: Modality; decoder: Modality; mean: number; cells: number }> = [];
  for (const enc of ["image", "text"] as const) for (const dec of ["image", "text"] as const) {
    let s = 0, n = 0;
    m.rowNames.forEach((r, i) => m.colNames.forEach((c, j) => {
      if (i === j || modalityOf(r) !== enc || modalityOf(c) !== dec) return;
      const v = m.values[i][j];
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }));
    out.push({ encoder: enc, decoder: dec, mean: n ? s / n : NaN, cells: n });
  }
  return out;
}

/**
 * Plain objects as table rows for `showTable` / `saveTable` (cells are numbers or strings): null and
 * undefined become "", booleans "yes" / "no"; other values are kept (objects stringified).
 */
export function asTableRows(objects: readonly object[]): Array<Record<string, string | number>> {
  return objects.map((o) => {
    const row: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(o)) {
      row[k] = v === null || v === undefined ? "" : typeof v === "boolean" ? (v ? "yes" : "no") : typeof v === "number" || typeof v === "string" ? v : JSON.stringify(v);
    }
    return row;
  });
}
