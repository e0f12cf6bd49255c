/**
 * The scale notebooks' verdicts: which blocks tolerate rescaling (Fig. 2), where rescale injection
 * leaves accuracy flat (Fig. 4), which encoders' scales are Gaussian-like (Fig. 5).
 */
import type { LayerwiseRescaleResult } from "../../scale/layerwise/layerwiseRescale";
import type { AggregatedPoint } from "../../scale/rescaleSweep";
import { invariantInterval } from "../../scale/rescaleSweep";

/** Fig. 2: a block tolerates α when the accuracy stays within this of the unrescaled accuracy. */
export const LAYERWISE_TOLERANCE = 0.05;

/**
 * Fig. 2, per block: the α values within `LAYERWISE_TOLERANCE` of the unrescaled accuracy, their
 * share of the grid and the worst accuracy; and the blocks invariant over the whole grid.
 */
export function layerwiseTolerance(
  grid: { rows: ReadonlyArray<Pick<LayerwiseRescaleResult["rows"][number], "layer" | "alpha" | "accuracy">>; unrescaledAccuracy: number }, layers: readonly string[],
): {
  perLayer: Array<{ layer: string; alphasWithin005: string; share: number; worst: number }>;
  invariantBlocks: string[];
} {
  const within = (acc: number) => Math.abs(acc - grid.unrescaledAccuracy) <= LAYERWISE_TOLERANCE;
  const perLayer = layers.map((l) => {
    const rows = grid.rows.filter((r) => r.layer === l);
    const ok = rows.filter((r) => within(r.accuracy)).map((r) => r.alpha);
    return { layer: l, alphasWithin005: ok.join(", "), share: ok.length / rows.length, worst: Math.min(...rows.map((r) => r.accuracy)) };
  });
  return { perLayer, invariantBlocks: perLayer.filter((p) => p.share === 1).map((p) => p.layer) };
}

/** Fig. 4: accuracy counts as flat while within this of the accuracy at the mean scale. */
export const FLAT_TOLERANCE = 0.02;

/**
 * Fig. 4, per activation (`runs[activation].sweeps`: one `rescaleSweep` per seed; `curves`: their
 * `aggregateSweeps`): the accuracy without rescaling (mean over seeds), at the mean scale, its
 * range over the grid, and the interval of α (as multiples of the mean scale) around the mean scale
 * where the mean accuracy stays within `FLAT_TOLERANCE`.
 */
export function rescaleInjectionSummary(
  curves: ReadonlyArray<{ activation: string; points: AggregatedPoint[] }>,
  runs: Readonly<Record<string, { sweeps: ReadonlyArray<{ original: number }> }>>, meanScale: number,
): Array<{ activation: string; originalAccuracy: number; accuracyAtMeanScale: number; minOverGrid: number; maxOverGrid: number; flatFromTimesMean: number; flatToTimesMean: number }> {
  return curves.map(({ activation, points }) => {
    const sweeps = runs[activation].sweeps;
    const original = sweeps.reduce((a, s) => a + s.original, 0) / sweeps.length;
    const interval = invariantInterval(points, meanScale, FLAT_TOLERANCE);
    return {
      activation,
      originalAccuracy: original,
      accuracyAtMeanScale: interval.reference,
      minOverGrid: Math.min(...points.map((p) => p.mean)),
      maxOverGrid: Math.max(...points.map((p) => p.mean)),
      flatFromTimesMean: interval.low / meanScale,
      flatToTimesMean: interval.high / meanScale,
    };
  });
}

/** Fig. 5: Gaussian-like scales — |skewness| and |excess kurtosis| below these, at most this share beyond 3σ. */
export const GAUSSIAN_LIKE = { skewness: 1, excessKurtosis: 3, outliers: 0.01 } as const;

/** Fig. 5: the encoders whose scale distribution is Gaussian-like (`GAUSSIAN_LIKE`), the others, and the range of the coefficient of variation. */
export function gaussianLikeScales<T extends { skewness: number; excessKurtosis: number; outliersBeyond3sd: number; cv: number }>(stats: readonly T[]): {
  wellBehaved: T[]; others: T[]; cvMin: number; cvMax: number;
} {
  const wellBehaved = stats.filter((s) => Math.abs(s.skewness) < GAUSSIAN_LIKE.skewness && Math.abs(s.excessKurtosis) < GAUSSIAN_LIKE.excessKurtosis && s.outliersBeyond3sd <= GAUSSIAN_LIKE.outliers);
  return {
    wellBehaved, others: stats.filter((s) => !wellBehaved.includes(s)),
    cvMin: Math.min(...stats.map((s) => s.cv)), cvMax: Math.max(...stats.map((s) => s.cv)),
  };
}

/**
 * Fig. 2 on transformers: a layer "tolerates rescaling" when at least this share of the α grid keeps
 * the accuracy within `LAYERWISE_TOLERANCE` of the unrescaled accuracy; the paper's claim ("even
 * the internal layers … exhibit a positive scale invariance") holds for an encoder when at least
 * half of its layers do.
 */
export const TOLERATED_SHARE = 0.8;
/** Fig. 2 on transformers: below chance + this, the unrescaled accuracy has too little to lose for a verdict. */
export const TESTABLE_MARGIN = 0.1;

/** What Fig. 2's transformer verdict reads of one grid. */
export interface TransformerGrid {
  encoder: string;
  norm: "pre" | "post";
  depth: number;
  rows: ReadonlyArray<{ layer: number; alpha: number; accuracy: number }>;
  unrescaledAccuracy: number;
  /** 1 / classes, when known: an encoder whose unrescaled accuracy is below chance + TESTABLE_MARGIN gets no verdict. */
  chance?: number;
}

/**
 * Fig. 2 on transformers, per encoder: the unrescaled accuracy, per layer the share of the α grid
 * within `LAYERWISE_TOLERANCE` (layerwiseTolerance), the layers tolerating rescaling
 * (≥ TOLERATED_SHARE), whether the paper's claim holds (≥ half the layers: `paperClaim`; "untestable" when
 * the unrescaled accuracy is below chance + TESTABLE_MARGIN, as for a barely trained encoder), and the mean share over
 * the inner layers (1…depth−1), where pre- and post-LN differ; plus one sentence comparing pre- and
 * post-LN encoders (when both are given; untestable encoders left out).
 */
export function transformerLayerwiseVerdict(grids: readonly TransformerGrid[]): {
  perEncoder: Array<{ encoder: string; norm: string; unrescaled: number; toleratingLayers: string; toleratedShareByLayer: string; innerMeanShare: number; paperClaim: "holds" | "does not hold" | "untestable (near chance)" }>;
  prePost: string;
  /** Mean inner-layer share of the α grid within tolerance over the testable encoders of each placement (undefined: none measured). */
  innerShare: { pre?: number; post?: number };
} {
  const perEncoder = grids.map((g) => {
    const layers = [...new Set(g.rows.map((r) => r.layer))].sort((a, b) => a - b);
    const t = layerwiseTolerance({ rows: g.rows.map((r) => ({ ...r, layer: String(r.layer) })), unrescaledAccuracy: g.unrescaledAccuracy }, layers.map(String));
    const share = new Map(t.perLayer.map((p) => [Number(p.layer), p.share]));
    const tolerating = layers.filter((l) => share.get(l)! >= TOLERATED_SHARE);
    const inner = layers.filter((l) => l >= 1 && l < g.depth);
    return {
      encoder: g.encoder, norm: `${g.norm}-LN`, unrescaled: g.unrescaledAccuracy,
      toleratingLayers: `${tolerating.length}/${layers.length}${tolerating.length ? ` (${tolerating.join(", ")})` : ""}`,
      toleratedShareByLayer: layers.map((l) => `${l}: ${share.get(l)!.toFixed(2)}`).join(", "),
      innerMeanShare: inner.length ? inner.reduce((a, l) => a + share.get(l)!, 0) / inner.length : NaN,
      paperClaim: g.chance !== undefined && g.unrescaledAccuracy < g.chance + TESTABLE_MARGIN ? "untestable (near chance)" as const
        : tolerating.length >= layers.length / 2 ? "holds" as const : "does not hold" as const,
    };
  });
  const mean = (norm: string) => {
    const xs = perEncoder.filter((p) => p.norm === norm && Number.isFinite(p.innerMeanShare) && !p.paperClaim.startsWith("untestable")).map((p) => p.innerMeanShare);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
  };
  const pre = mean("pre-LN"), post = mean("post-LN");
  const prePost = pre === undefined || post === undefined
    ? "only one LayerNorm placement was measured"
    : `inner layers keep the accuracy within ${LAYERWISE_TOLERANCE} over ${(100 * post).toFixed(0)} % of the α grid in post-LN encoders and ` +
      `${(100 * pre).toFixed(0)} % in pre-LN ones: ${Math.abs(post - pre) < CLEAR_DIFFERENCE ? "no clear difference" : post > pre ? "post-LN tolerates rescaling better" : "pre-LN tolerates rescaling better"}`;
  return { perEncoder, prePost, innerShare: { pre, post } };
}

/** Fig. 2: inner-layer shares of the α grid closer than this make "no clear difference". */
export const CLEAR_DIFFERENCE = 0.1;

/**
 * Fig. 2's conclusion, read off the measured grids (nothing assumed): (1) whether the order of pre-
 * and post-LN agrees with the architectural argument (post-LN re-normalises the residual stream
 * after every block, pre-LN never does, so post-LN should tolerate inner-layer rescaling better);
 * (2) whether the paper's RoBERTa claim holds on each post-LN encoder; (3) when a CNN's per-block
 * tolerance is given (`layerwiseTolerance(...).perLayer` in depth order: its last block is the one
 * before pooling, the others are inner), which placement its inner blocks resemble.
 */
export function transformerLayerwiseConclusion(
  verdict: ReturnType<typeof transformerLayerwiseVerdict>, cnn?: { name: string; perLayer: ReadonlyArray<{ share: number }> },
): string[] {
  const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
  const { pre, post } = verdict.innerShare;
  const lines: string[] = [];
  if (pre === undefined || post === undefined) {
    lines.push("only one LayerNorm placement was measured (or the other is near chance): no pre- vs post-LN conclusion");
  } else if (Math.abs(post - pre) < CLEAR_DIFFERENCE) {
    lines.push(`pre- and post-LN inner layers tolerate rescaling alike (${pct(pre)} vs ${pct(post)} of the α grid): the grids neither confirm nor refute the argument that post-LN's per-block LayerNorm protects inner layers`);
  } else if (post > pre) {
    lines.push(`post-LN inner layers tolerate rescaling better than pre-LN ones (${pct(post)} vs ${pct(pre)} of the α grid), as the architecture predicts: post-LN re-normalises the residual stream after every block, pre-LN never does`);
  } else {
    lines.push(`pre-LN inner layers tolerate rescaling better than post-LN ones (${pct(pre)} vs ${pct(post)} of the α grid), against the argument that post-LN's per-block LayerNorm protects them`);
  }
  const postLn = verdict.perEncoder.filter((p) => p.norm === "post-LN");
  if (postLn.length === 0) lines.push("no post-LN (RoBERTa-like) encoder was measured: the paper's RoBERTa claim is not tested");
  for (const p of postLn) {
    lines.push(p.paperClaim.startsWith("untestable")
      ? `${p.encoder} (post-LN, like RoBERTa): too close to chance (unrescaled ${p.unrescaled.toFixed(3)}) to test the paper's claim`
      : `${p.encoder} (post-LN, like RoBERTa): the paper's claim ${p.paperClaim} — ${p.toleratingLayers} layers tolerate rescaling`);
  }
  if (cnn !== undefined && cnn.perLayer.length >= 2) {
    const inner = cnn.perLayer.slice(0, -1);
    const share = inner.reduce((a, p) => a + p.share, 0) / inner.length;
    const head = `${cnn.name}'s inner blocks keep the accuracy within ${LAYERWISE_TOLERANCE} over ${pct(share)} of the α grid`;
    if (pre === undefined || post === undefined) {
      const one = pre ?? post;
      lines.push(one === undefined ? `${head}; no testable transformer to compare with` : `${head}; the ${pre === undefined ? "post" : "pre"}-LN transformers' inner layers: ${pct(one)}`);
    } else {
      const dPre = Math.abs(share - pre), dPost = Math.abs(share - post);
      const [near, far] = dPre < dPost ? [["pre", pre], ["post", post]] as const : [["post", post], ["pre", pre]] as const;
      lines.push(Math.abs(dPre - dPost) < CLEAR_DIFFERENCE
        ? `${head}: no closer to the pre-LN transformers' ${pct(pre)} than to the post-LN ones' ${pct(post)}`
        : `${head}: like the ${near[0]}-LN transformers' inner layers (${pct(near[1])}), not the ${far[0]}-LN ones' (${pct(far[1])})`);
    }
  }
  return lines;
}

/** Fig. 5: the anisotropy the paper quotes (mean cosine between different items, before centring). */
export const PAPER_ANISOTROPY = { english: 0.93, xlmr: 0.98 } as const;

/**
 * Fig. 5's anisotropy in one line per group of encoders (e.g. "ours", "transformers"): the range of
 * the mean cosine between different items before and after centring, against the paper's 0.93/0.98.
 */
export function anisotropySummary(rows: ReadonlyArray<{ encoder: string; group: string; meanCosine: number; meanCosineCentred: number }>): string[] {
  const groups = [...new Set(rows.map((r) => r.group))];
  return groups.map((g) => {
    const rs = rows.filter((r) => r.group === g);
    const range = (f: (r: (typeof rs)[number]) => number) => `${Math.min(...rs.map(f)).toFixed(3)}–${Math.max(...rs.map(f)).toFixed(3)}`;
    const top = rs.reduce((a, b) => (b.meanCosine > a.meanCosine ? b : a));
    return `${g} (${rs.length} encoder${rs.length === 1 ? "" : "s"}): mean cosine between different items ${range((r) => r.meanCosine)} before centring (highest: ${top.encoder}, ${top.meanCosine.toFixed(3)}), ` +
      `${range((r) => r.meanCosineCentred)} after; the paper quotes ${PAPER_ANISOTROPY.english} (English encoder) and ${PAPER_ANISOTROPY.xlmr} (XLM-R) before centring`;
  });
}
