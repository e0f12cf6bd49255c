/**
 * Several translators side by side, with translation metrics beside the stitching accuracy — a
 * configuration of `runStitching` (the one stitching protocol):
 *
 *   const { rows } = await evaluatePanel(data, { numAnchors: 200, seeds: [0, 1], methods });
 *
 * Each method turns a pair's source test split into the target space (or into the target's relative
 * representation, read by its relative head). Every row carries the target head's accuracy and, for a
 * translation into the target space, how close it lands to the target's own test embeddings: mean
 * cosine, mean cosine centred on the target anchors' mean, top-1 retrieval and mean reciprocal rank
 * (NaN for relative-head rows). `pairs` restricts the ordered pairs translated (heads are still trained
 * for every encoder, as the protocol does).
 */
import type { Matrix } from "../../linalg/matrix";
import { columnMeans } from "../../linalg/matrix";
import { meanCosineSimilarity, retrievalScores } from "../../metrics/metrics";
import { InvalidParameterError } from "../../errors";
import type { ProgressMode } from "../../engine/progress";
import type { HeadFactory, StitchingData, StitchingHeadSpec } from "./common";
import { runStitching, type PairContext } from "./protocol";

/** What one method makes of one pair. */
export interface PanelTranslation {
  /** The source test split in the target space (or, with head "relative", the target's relative space). */
  translated?: Matrix;
  head?: "absolute" | "relative";
  /** Why the pair is not achievable (set exactly when `translated` is absent). */
  reason?: string;
  /** Settings to record on the row (e.g. the chosen ω, δ, λ). */
  setting?: string;
}

export interface PanelMethod {
  /** The row label. */
  name: string;
  translate: (pair: PairContext) => PanelTranslation;
  /** The method reads the target's relative head (the protocol then trains one per encoder). */
  relativeHead?: boolean;
}

/** One translation of one pair and seed. A type, so that arrays of it are table rows. */
export type PanelRow = {
  dataset: string;
  seed: number;
  source: string;
  target: string;
  method: string;
  /** Accuracy of the target's head (NaN when not achievable). */
  accuracy: number;
  /** Mean cosine to the target's own test embeddings (NaN for relative-head rows). */
  cosine: number;
  /** The same, both centred on the target anchors' mean. */
  centredCosine: number;
  top1: number;
  mrr: number;
  setting: string;
  reason: string;
};

export interface PanelOptions {
  numAnchors: number;
  seeds: number[];
  methods: readonly PanelMethod[];
  /** Which ordered pairs to translate (default every one). */
  pairs?: (source: string, target: string) => boolean;
  head?: StitchingHeadSpec;
  headFactory?: HeadFactory;
  /** Relative heads centre on the anchor mean (default true, as IRP does). */
  relativeCenter?: boolean;
  progress?: boolean | ProgressMode;
  label?: string;
}

export interface PanelResult {
  rows: PanelRow[];
  /** Each encoder's own head on its own test split, per seed (the non-stitch upper bound). */
  nonStitch: Array<{ dataset: string; seed: number; encoder: string; accuracy: number }>;
}

/** Runs every method on every (selected) ordered pair and seed; see the module comment. */
export async function evaluatePanel(data: StitchingData, o: PanelOptions): Promise<PanelResult> {
  if (!Array.isArray(o.methods) || o.methods.length === 0) throw new InvalidParameterError("methods", "expected a non-empty array of methods");
  const names = o.methods.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new InvalidParameterError("methods", `method names must be distinct, got ${names.join(", ")}`);
  const wanted = o.pairs ?? (() => true);
  const nonStitch: PanelResult["nonStitch"] = [];
  type Made = PanelTranslation & { method: string; centre?: Float64Array };
  const run = await runStitching<Made, PanelRow | null>(data, {
    numAnchors: o.numAnchors, seeds: o.seeds, head: o.head, headFactory: o.headFactory, progress: o.progress, label: o.label,
    relativeHeads: o.methods.some((m) => m.relativeHead) ? { center: o.relativeCenter ?? true } : undefined,
    translators: o.methods.map((m) => (pair: PairContext): Made[] => {
      if (!wanted(pair.source.name, pair.target.name)) return [];
      return [{ ...m.translate(pair), method: m.name, centre: columnMeans(pair.anchorsOf(pair.target.name)) }];
    }),
    ownHead: (context, e, accuracy) => {
      nonStitch.push({ dataset: context.data.dataset, seed: context.seed, encoder: e.name, accuracy });
      return null;
    },
    record: (pair, t, accuracy): PanelRow => {
      const truth = pair.target.test;
      const inTarget = t.translated !== undefined && t.head !== "relative";
      const cosine = inTarget ? meanCosineSimilarity(t.translated!, truth) : NaN;
      const centredCosine = inTarget ? meanCosineSimilarity(t.translated!, truth, { centre: t.centre! }) : NaN;
      const retrieval = inTarget ? retrievalScores(t.translated!, truth, [1]) : undefined;
      return {
        dataset: pair.data.dataset, seed: pair.seed, source: pair.source.name, target: pair.target.name, method: t.method, accuracy,
        cosine, centredCosine,
        top1: retrieval ? retrieval.topK[0] : NaN,
        mrr: retrieval ? retrieval.mrr : NaN,
        setting: t.setting ?? "", reason: t.reason ?? "",
      };
    },
  });
  return { rows: run.rows.filter((r): r is PanelRow => r !== null), nonStitch };
}
