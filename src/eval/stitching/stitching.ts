/**
 * Zero-shot stitching for classification (the IRP paper, §5 and Table 2): for every ordered pair
 * (encoder A, head trained on encoder B) of one data set, the test accuracy of
 * head_B(translate_{A→B}(A(x))).
 *
 *   const { rows } = await evaluateStitching({
 *     dataset: "trec", encoders: [{ name: "bert", train, test }, …], trainLabels, testLabels,
 *     numAnchors: 1000, irp: { omega: 16, delta: 0.8 },
 *   });
 *   summarizeStitching(rows);            // Table 2: mean ± std over seeds, achievable pairs
 *   stitchingMatrix(rows, "irp");        // Fig. 7: encoder × decoder accuracy
 *
 * Per seed: the anchors are `numAnchors` class-balanced train items (the same items in every
 * space); every encoder gets one head on its own train embeddings (seeded by the run seed), and —
 * for the relative baseline — one head on its relative representation (cosines to its own anchors,
 * Moschella et al. 2023). Then, for every ordered pair A ≠ B:
 *   - irp / procrustes / lstsq / affine: a translator fitted on A(anchors) → B(anchors), head_B on
 *     the translated A(test);
 *   - absolute: head_B on A(test) as is, only where the dimensions match (else not achievable);
 *   - relative: head_B^rel on A(test)'s cosines to A's anchors (no translation);
 * and, per encoder B, the non-stitch upper bound head_B on B(test) (source = target = B).
 */
import { InvalidParameterError } from "../../errors";
import type { ProgressMode } from "../../engine/progress";
import { createTranslator } from "../../translate/createTranslator";
import { TRANSLATION_METHODS, type TranslationMethod } from "../../translate/translator";
import { IRP_DEFAULTS } from "../../translate/irp";
import { MatrixContentMemo, STUDY_MEMO_BYTES } from "../../linalg/contentMemo";
import { assertBoolean, assertDelta, assertInteger, assertPruneSide, type PruneSide } from "../../validate";
import { DEFAULT_STITCHING_HEAD, type HeadFactory, type StitchingData, type StitchingHeadSpec } from "./common";
import { runStitching, type PairTranslator, type SeedContext, type Translation } from "./protocol";

/** What can be stitched: the translators of `createTranslator`, plus the relative-head baseline. */
export type StitchingMethod = TranslationMethod | "relative";

export const STITCHING_METHODS: readonly StitchingMethod[] = [...TRANSLATION_METHODS, "relative"];

export const DEFAULT_STITCHING_METHODS: readonly StitchingMethod[] = ["irp", "procrustes", "lstsq", "absolute", "relative"];

/** One accuracy. Every row has every key (uniform for tables and data frames). */
export interface StitchingRow {
  dataset: string;
  seed: number;
  /** Encoder whose test embeddings are fed in. */
  source: string;
  /** Encoder whose head decodes (for "non-stitch", source = target). */
  target: string;
  method: StitchingMethod | "non-stitch";
  /** Test accuracy; NaN when not achievable. */
  accuracy: number;
  /** false when the method cannot handle the pair (absolute across dimensions). */
  achievable: boolean;
  /** Why not achievable ("" otherwise). */
  reason: string;
  /** IRP's ω and δ on "irp" rows; null on the others. */
  omega: number | null;
  delta: number | null;
}

export interface StitchingOptions extends StitchingData {
  /** Anchors drawn (class-balanced) from the train split per seed; integer in 2..n_train. */
  numAnchors: number;
  /** Default [0, 1, 2, 3, 4] (the paper averages 5 seeds). Each seeds the anchors, the heads and IRP's subspaces. */
  seeds?: number[];
  /** Default ["irp", "procrustes", "lstsq", "absolute", "relative"]. "non-stitch" rows are always produced. */
  methods?: StitchingMethod[];
  /** IRP settings (reported on the irp rows). Default ω = 16, δ = 0.8, pruning the target anchors. */
  irp?: { omega?: number; delta?: number; prune?: PruneSide };
  /** Head settings (seeded by the run seed). Default `DEFAULT_STITCHING_HEAD` (linear). */
  head?: StitchingHeadSpec;
  /**
   * Relative baseline: centre embeddings and anchors on the anchor mean before the cosines
   * (default true, as IRP does, §3.1). false is Moschella et al.'s plain cosine.
   */
  relativeCenter?: boolean;
  /** Obtain heads another way (e.g. `cachedHead` around `trainHead`); it must honour `request.spec`. */
  headFactory?: HeadFactory;
  /** false silences the progress bar (seeds × pairs); a mode forces one. Default "auto". */
  progress?: boolean | ProgressMode;
  label?: string;
}

export interface StitchingResult {
  rows: StitchingRow[];
  /** The settings actually used (defaults filled in). */
  settings: {
    dataset: string;
    encoders: Array<{ name: string; dim: number }>;
    numAnchors: number;
    seeds: number[];
    methods: StitchingMethod[];
    irp: { omega: number; delta: number; prune: PruneSide };
    head: StitchingHeadSpec;
    relativeCenter: boolean;
    trainItems: number;
    testItems: number;
    numClasses: number;
    /** Anchor item indices (into the train split) per seed. */
    anchorIndices: Record<number, Int32Array>;
  };
  seconds: number;
}

function checkMethods(methods: unknown): StitchingMethod[] {
  if (!Array.isArray(methods) || methods.length === 0) throw new InvalidParameterError("methods", "expected a non-empty array of methods");
  methods.forEach((m, i) => {
    if (!STITCHING_METHODS.includes(m as StitchingMethod)) {
      throw new InvalidParameterError(`methods[${i}]`, `unknown method ${JSON.stringify(m)}; expected one of ${STITCHING_METHODS.join(", ")}`);
    }
  });
  if (new Set(methods).size !== methods.length) throw new InvalidParameterError("methods", `methods must be distinct, got [${methods.join(", ")}]`);
  return methods as StitchingMethod[];
}

export function resolveIrpSettings(irp: StitchingOptions["irp"]): { omega: number; delta: number; prune: PruneSide } {
  const omega = irp?.omega ?? IRP_DEFAULTS.omega;
  const delta = irp?.delta ?? IRP_DEFAULTS.delta;
  const prune = assertPruneSide(irp?.prune ?? IRP_DEFAULTS.prune, "irp.prune");
  assertInteger(omega, "irp.omega", 1);
  assertDelta(delta, "irp.delta");
  return { omega, delta, prune };
}


/**
 * Runs the zero-shot stitching evaluation (see the module comment) as a configuration of
 * `runStitching`: one translator per method, plus the non-stitch rows. Everything is validated
 * before any head is trained; heads are disposed before the next seed (and on error).
 * @throws InvalidParameterError / ShapeMismatchError naming the argument at fault — including
 *   `encoders[i].itemIds.<split>` when encoder i lists other items, or the same items in another
 *   order, than the first encoder with ids (the message names the encoder and the first differing
 *   position).
 */
export async function evaluateStitching(options: StitchingOptions): Promise<StitchingResult> {
  const started = performance.now();
  const methods = checkMethods(options.methods ?? [...DEFAULT_STITCHING_METHODS]);
  const irp = resolveIrpSettings(options.irp);
  const relativeCenter = options.relativeCenter ?? true;
  assertBoolean(relativeCenter, "relativeCenter");
  const row = (context: SeedContext, source: string, target: string, method: StitchingRow["method"], accuracy: number, reason = ""): StitchingRow => ({
    dataset: context.data.dataset, seed: context.seed, source, target, method, accuracy, achievable: reason === "", reason,
    omega: method === "irp" ? irp.omega : null, delta: method === "irp" ? irp.delta : null,
  });
  // Every pair over one encoder's anchors shares what is computed from them alone: IRP's target
  // side (its subspaces and decoders, with target pruning) and Procrustes's row space on the span.
  const memo = new MatrixContentMemo(STUDY_MEMO_BYTES);
  const translators = methods.map((method): PairTranslator<MethodTranslation> => (pair) => {
    const { source: a, target: b } = pair;
    if (method === "relative") return [{ method, translated: pair.relativeTestOf(a.name), head: "relative" }];
    if (method === "absolute") {
      return [a.test.cols !== b.test.cols ? { method, reason: `dimensions differ (${a.test.cols} vs ${b.test.cols})` } : { method, translated: a.test }];
    }
    const t = createTranslator(method, { ...irp, seed: pair.seed, memo }).fit(pair.anchorsOf(a.name), pair.anchorsOf(b.name));
    return [{ method, translated: t.transform(a.test) }];
  });
  const run = await runStitching(options, {
    numAnchors: options.numAnchors, seeds: options.seeds ?? [0, 1, 2, 3, 4], head: options.head, headFactory: options.headFactory,
    relativeHeads: methods.includes("relative") ? { center: relativeCenter } : undefined,
    translators,
    ownHead: (context, e, accuracy) => row(context, e.name, e.name, "non-stitch", accuracy),
    record: (pair, t, accuracy) => row(pair, pair.source.name, pair.target.name, t.method, accuracy, t.reason),
    progress: options.progress, label: options.label,
  });
  const v = run.data;
  return {
    rows: run.rows,
    settings: {
      dataset: v.dataset,
      encoders: v.encoders.map((e) => ({ name: e.name, dim: e.train.cols })),
      numAnchors: run.numAnchors, seeds: run.seeds, methods: [...methods], irp, head: options.head ?? DEFAULT_STITCHING_HEAD, relativeCenter,
      trainItems: v.trainLabels.length, testItems: v.testLabels.length, numClasses: v.numClasses, anchorIndices: run.anchorIndices,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

interface MethodTranslation extends Translation {
  method: StitchingMethod;
}
