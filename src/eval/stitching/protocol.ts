/**
 * The zero-shot stitching protocol, written once. Every stitching evaluator is a configuration of
 * `runStitching`: which translators run on each ordered pair, and what each translation records.
 *
 * Per seed:
 *   1. anchors: `numAnchors` class-balanced train items (`drawAnchorIndices`), the same items in every space;
 *   2. heads, encoder by encoder: one on its own train embeddings (seeded by the run seed) and, when
 *      `relativeHeads` is set, right after it one on its relative representation (cosines to its
 *      own anchors, Moschella et al. 2023);
 *   3. `ownHead` rows: each encoder's head on its own test split (the non-stitch upper bound);
 *   4. every ordered pair A ≠ B (A-major): each translator in turn turns A's test split into one or
 *      more translations (e.g. one per ω), B's head reads each, and `record` makes it a row;
 *   5. the heads are disposed (also on error).
 *
 *   evaluateStitching            one translation per method (stitching.ts)
 *   reconstructionAndAccuracy    one translator per δ, yielding every ω (Fig. 6, sensitivity.ts)
 *   evaluatePairs                any translator factory (experiments/stitchingTools.ts)
 */
import { selectRows, type Matrix } from "../../linalg/matrix";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import type { ClassificationHead } from "../../heads/classifier";
import { InvalidParameterError } from "../../errors";
import { checkSeeds } from "../../validate";
import {
  checkHeadSpec, checkNumAnchors, drawAnchorIndices, obtainHead, orderedPairs, relativeOf, validateStitchingData,
  type HeadFactory, type StitchingData, type StitchingEncoder, type StitchingHeadSpec, type ValidatedData,
} from "./common";

/** One seed of a run, as translators and recorders see it. */
export interface SeedContext {
  data: ValidatedData;
  seed: number;
  /** This seed's anchor items (indices into the train split). */
  anchorIndices: Int32Array;
  /** An encoder's embeddings of this seed's anchors. */
  anchorsOf(encoder: string): Matrix;
  /** An encoder's test split as its relative head reads it (only with `relativeHeads`). */
  relativeTestOf(encoder: string): Matrix;
}

/** One ordered pair of one seed: A's test split is translated towards B and read by B's head. */
export interface PairContext extends SeedContext {
  source: StitchingEncoder;
  target: StitchingEncoder;
}

/** What a translator hands the protocol for one pair (extended with whatever its recorder needs). */
export interface Translation {
  /** A's test split as B's head reads it; absent when the method cannot handle the pair. */
  translated?: Matrix;
  /** Why the pair is not achievable (set exactly when `translated` is absent). */
  reason?: string;
  /** Which of B's heads reads it: the one on its embeddings (default) or on its relative representation. */
  head?: "absolute" | "relative";
}

/** Translations of one pair: usually one, several for a family (e.g. every ω of one fit). */
export type PairTranslator<T extends Translation> = (pair: PairContext) => Iterable<T>;

export interface StitchingProtocol<T extends Translation, Row> {
  numAnchors: number;
  seeds: number[];
  /** Head settings (seeded by the run seed); default `DEFAULT_STITCHING_HEAD`. */
  head?: StitchingHeadSpec;
  headFactory?: HeadFactory;
  /** Also train heads on relative representations (centred on the anchor mean, or not). */
  relativeHeads?: { center: boolean };
  /** Run on every ordered pair, in this order. */
  translators: ReadonlyArray<PairTranslator<T>>;
  /** One row per translation; `accuracy` is NaN when the pair is not achievable. */
  record: (pair: PairContext, translation: T, accuracy: number) => Row;
  /** One row per encoder and seed from its own head on its own test split, before the pairs. */
  ownHead?: (context: SeedContext, encoder: StitchingEncoder, accuracy: number) => Row;
  /** What one progress step is: a pair (default) or one translator on a pair. */
  step?: "pair" | "translator";
  /** false silences the progress bar; a mode forces one. Default "auto". */
  progress?: boolean | ProgressMode;
  label?: string;
}

export interface StitchingRun<Row> {
  rows: Row[];
  data: ValidatedData;
  numAnchors: number;
  seeds: number[];
  /** Anchor item indices (into the train split) per seed. */
  anchorIndices: Record<number, Int32Array>;
}

/**
 * Runs the protocol (see the module comment). The data, anchor count, seeds and head settings are
 * validated before any head is trained; callers validate their own options before calling.
 */
export async function runStitching<T extends Translation, Row>(data: StitchingData, p: StitchingProtocol<T, Row>): Promise<StitchingRun<Row>> {
  const v = validateStitchingData(data);
  const numAnchors = checkNumAnchors(p.numAnchors, v.trainLabels.length);
  const seeds = checkSeeds(p.seeds);
  const head = checkHeadSpec(p.head);
  const encoders = v.encoders;
  const pairs = orderedPairs(encoders);
  const perPair = p.step === "translator" ? p.translators.length : 1;
  const rows: Row[] = [];
  const anchorIndices: Record<number, Int32Array> = {};
  const bar = progress({ total: seeds.length * pairs.length * perPair, label: p.label ?? `stitching ${v.dataset}`, mode: resolveProgressMode(p.progress) });
  // Let a notebook's progress display through between steps.
  const step = async () => {
    bar.tick();
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  try {
    for (const seed of seeds) {
      const idx = drawAnchorIndices(v.trainLabels, numAnchors, seed);
      anchorIndices[seed] = idx;
      const anchors = new Map<string, Matrix>(encoders.map((e) => [e.name, selectRows(e.train, idx)]));
      const heads = new Map<string, ClassificationHead>();
      const relHeads = new Map<string, ClassificationHead>();
      const relTest = new Map<string, Matrix>();
      const context: SeedContext = {
        data: v, seed, anchorIndices: idx,
        anchorsOf: (name) => anchors.get(name)!,
        relativeTestOf: (name) => {
          const r = relTest.get(name);
          if (!r) throw new InvalidParameterError("relativeHeads", `no relative representation of "${name}": set relativeHeads`);
          return r;
        },
      };
      try {
        for (const e of encoders) {
          heads.set(e.name, await obtainHead(v, e.name, seed, "absolute", e.train, head, p.headFactory));
          if (p.relativeHeads) {
            const a = anchors.get(e.name)!, center = p.relativeHeads.center;
            relHeads.set(e.name, await obtainHead(v, e.name, seed, "relative", relativeOf(e.train, a, center), head, p.headFactory));
            relTest.set(e.name, relativeOf(e.test, a, center));
          }
        }
        if (p.ownHead) for (const e of encoders) rows.push(p.ownHead(context, e, heads.get(e.name)!.accuracy(e.test, v.testLabels)));
        for (const [a, b] of pairs) {
          const pair: PairContext = { ...context, source: a, target: b };
          for (const translator of p.translators) {
            for (const t of translator(pair)) {
              const reader = t.head === "relative" ? relHeads.get(b.name) : heads.get(b.name);
              if (!reader) throw new InvalidParameterError("relativeHeads", "a translator asked for the relative head; set relativeHeads");
              rows.push(p.record(pair, t, t.translated ? reader.accuracy(t.translated, v.testLabels) : NaN));
            }
            if (perPair > 1) await step();
          }
          if (perPair === 1) await step();
        }
      } finally {
        for (const h of [...heads.values(), ...relHeads.values()]) h.dispose();
      }
    }
  } finally {
    bar.done();
  }
  return { rows, data: v, numAnchors, seeds: [...seeds], anchorIndices };
}
