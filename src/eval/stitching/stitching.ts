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
import { selectRows, type Matrix } from "../../linalg/matrix";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import type { ClassificationHead } from "../../heads/classifier";
import { createTranslator } from "../../translate/createTranslator";
import { TRANSLATION_METHODS, type TranslationMethod } from "../../translate/translator";
import { IRP_DEFAULTS } from "../../translate/irp";
import { assertBoolean, assertDelta, assertInteger, assertPruneSide, checkSeeds, type PruneSide } from "../../validate";
import {
  checkHeadSpec, checkNumAnchors, drawAnchorIndices, obtainHead, orderedPairs, relativeOf, validateStitchingData,
  type HeadFactory, type StitchingData, type StitchingHeadSpec,
} from "./common";

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
 * Runs the zero-shot stitching evaluation (see the module comment). Everything is validated before
 * any head is trained; heads are disposed before the next seed (and on error).
 * @throws InvalidParameterError / ShapeMismatchError naming the argument at fault — including
 *   `encoders[i].itemIds.<split>` when encoder i lists other items, or the same items in another
 *   order, than the first encoder with ids (the message names the encoder and the first differing
 *   position).
 */
export async function evaluateStitching(options: StitchingOptions): Promise<StitchingResult> {
  const started = performance.now();
  const v = validateStitchingData(options);
  const numAnchors = checkNumAnchors(options.numAnchors, v.trainLabels.length);
  const seeds = checkSeeds(options.seeds ?? [0, 1, 2, 3, 4]);
  const methods = checkMethods(options.methods ?? [...DEFAULT_STITCHING_METHODS]);
  const irp = resolveIrpSettings(options.irp);
  const head = checkHeadSpec(options.head);
  const relativeCenter = options.relativeCenter ?? true;
  assertBoolean(relativeCenter, "relativeCenter");
  const wantRelative = methods.includes("relative");

  const encoders = v.encoders;
  const pairs = orderedPairs(encoders);
  const rows: StitchingRow[] = [];
  const anchorIndices: Record<number, Int32Array> = {};
  const bar = progress({ total: seeds.length * pairs.length, label: options.label ?? `stitching ${v.dataset}`, mode: resolveProgressMode(options.progress) });
  const row = (seed: number, source: string, target: string, method: StitchingRow["method"], accuracy: number, reason = ""): StitchingRow => ({
    dataset: v.dataset, seed, source, target, method, accuracy, achievable: reason === "", reason,
    omega: method === "irp" ? irp.omega : null, delta: method === "irp" ? irp.delta : null,
  });

  try {
    for (const seed of seeds) {
      const idx = drawAnchorIndices(v.trainLabels, numAnchors, seed);
      anchorIndices[seed] = idx;
      const anchors = new Map<string, Matrix>(encoders.map((e) => [e.name, selectRows(e.train, idx)]));
      const heads = new Map<string, ClassificationHead>();
      const relHeads = new Map<string, ClassificationHead>();
      const relTest = new Map<string, Matrix>();
      try {
        for (const e of encoders) {
          heads.set(e.name, await obtainHead(v, e.name, seed, "absolute", e.train, head, options.headFactory));
          if (wantRelative) {
            const a = anchors.get(e.name)!;
            relHeads.set(e.name, await obtainHead(v, e.name, seed, "relative", relativeOf(e.train, a, relativeCenter), head, options.headFactory));
            relTest.set(e.name, relativeOf(e.test, a, relativeCenter));
          }
        }
        for (const e of encoders) rows.push(row(seed, e.name, e.name, "non-stitch", heads.get(e.name)!.accuracy(e.test, v.testLabels)));
        for (const [a, b] of pairs) {
          const headB = heads.get(b.name)!;
          for (const method of methods) {
            if (method === "relative") {
              rows.push(row(seed, a.name, b.name, method, relHeads.get(b.name)!.accuracy(relTest.get(a.name)!, v.testLabels)));
            } else if (method === "absolute") {
              if (a.test.cols !== b.test.cols) {
                rows.push(row(seed, a.name, b.name, method, NaN, `dimensions differ (${a.test.cols} vs ${b.test.cols})`));
              } else {
                rows.push(row(seed, a.name, b.name, method, headB.accuracy(a.test, v.testLabels)));
              }
            } else {
              const t = createTranslator(method, { ...irp, seed }).fit(anchors.get(a.name)!, anchors.get(b.name)!);
              rows.push(row(seed, a.name, b.name, method, headB.accuracy(t.transform(a.test), v.testLabels)));
            }
          }
          bar.tick();
          // Let a notebook's progress display through between pairs.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        for (const h of [...heads.values(), ...relHeads.values()]) h.dispose();
      }
    }
  } finally {
    bar.done();
  }
  return {
    rows,
    settings: {
      dataset: v.dataset,
      encoders: encoders.map((e) => ({ name: e.name, dim: e.train.cols })),
      numAnchors, seeds: [...seeds], methods: [...methods], irp, head, relativeCenter,
      trainItems: v.trainLabels.length, testItems: v.testLabels.length, numClasses: v.numClasses, anchorIndices,
    },
    seconds: (performance.now() - started) / 1000,
  };
}
