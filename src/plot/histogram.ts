/**
 * Histograms with counts computed here (deterministic, identical in every viewer and in exports),
 * drawn as bars. All series share one set of bin edges so they can be compared bin by bin; with
 * `logCounts` the count axis is logarithmic and empty bins are left out (a zero has no logarithm).
 *
 *   histogram({ series: [{ name: "IRP", values: errsIrp }, { name: "Procrustes", values: errsProc }], xTitle: "error" })
 */
import { InvalidParameterError } from "../errors";
import { checkNonEmpty, checkPositiveInteger } from "./checks";
import { seriesColor } from "./colors";
import { axis, baseLayout } from "./layout";
import type { Figure, PlotlyTrace } from "./types";

export interface HistogramCounts {
  /** bins + 1 increasing edges; bin k is [edges[k], edges[k+1]), the last bin also holds edges[bins]. */
  edges: number[];
  counts: number[];
}

/** The finite min / max over several samples, or undefined if none has a finite value. */
export function finiteExtent(samples: ArrayLike<number>[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo === Infinity ? undefined : [lo, hi];
}

function checkRange(range: [number, number] | undefined, argument: string): void {
  if (range === undefined) return;
  if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[0] < range[1])) {
    throw new InvalidParameterError(argument, `expected [min, max] with finite min < max, got ${JSON.stringify(range)}`);
  }
}

/** Equal-width edges over range (a degenerate range [v, v] becomes [v − 0.5, v + 0.5]). */
export function binEdges(range: [number, number], bins: number): number[] {
  let [lo, hi] = range;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Array<number>(bins + 1);
  for (let k = 0; k <= bins; k++) edges[k] = lo + ((hi - lo) * k) / bins;
  edges[bins] = hi;
  return edges;
}

/**
 * Counts of `values` in `bins` equal-width bins over `range` (default: the finite min / max).
 * Bins are half-open [a, b) except the last, which is closed, so the maximum is counted. Values
 * outside the range and non-finite values are not counted. Pure and deterministic.
 */
export function histogramCounts(values: ArrayLike<number>, bins = 50, range?: [number, number]): HistogramCounts {
  checkPositiveInteger(bins, "bins");
  checkRange(range, "range");
  const r = range ?? finiteExtent([values]) ?? [0, 1];
  const edges = binEdges(r, bins);
  const lo = edges[0];
  const hi = edges[bins];
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    let k = Math.floor((v - lo) / width);
    if (k >= bins) k = bins - 1;
    // Guard against rounding putting a value one bin off its edges.
    while (k > 0 && v < edges[k]) k--;
    while (k < bins - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { edges, counts };
}

export interface HistogramSeries {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

export interface HistogramOptions {
  series: HistogramSeries[];
  bins?: number;
  /** Shared bin range; default: finite min / max over all series. */
  range?: [number, number];
  /** Logarithmic count axis (default true). */
  logCounts?: boolean;
  /** Bars of all series on top of each other, semi-transparent (default true), or side by side. */
  overlay?: boolean;
  xTitle?: string;
  yTitle?: string;
  title?: string;
}

export function histogram(o: HistogramOptions): Figure {
  checkNonEmpty(o.series, "series", "at least one series");
  const bins = o.bins ?? 50;
  checkPositiveInteger(bins, "bins");
  checkRange(o.range, "range");
  const logCounts = o.logCounts ?? true;
  const overlay = o.overlay ?? true;
  const range = o.range ?? finiteExtent(o.series.map((s) => s.values)) ?? [0, 1];
  const edges = binEdges(range, bins);
  const centers = edges.slice(0, -1).map((e, k) => (e + edges[k + 1]) / 2);
  const binWidth = edges[1] - edges[0];
  let maxCount = 0;
  const data: PlotlyTrace[] = o.series.map((s, i) => {
    if (!s || typeof s.values !== "object" || typeof s.values.length !== "number") {
      throw new InvalidParameterError(`series[${i}].values`, "expected an array of numbers");
    }
    const { counts } = histogramCounts(s.values, bins, [edges[0], edges[bins]]);
    for (const c of counts) maxCount = Math.max(maxCount, c);
    return {
      type: "bar",
      name: s.name,
      x: centers,
      // Zero counts become gaps: a log axis cannot place them, a linear one does not need them.
      y: counts.map((c) => (logCounts && c === 0 ? null : c)),
      width: overlay ? binWidth : undefined,
      marker: { color: s.color ?? seriesColor(i), line: { width: 0 } },
      opacity: overlay && o.series.length > 1 ? 0.55 : 1,
      customdata: counts.map((_, k) => [edges[k], edges[k + 1]]),
      hovertemplate: `${s.name}<br>[%{customdata[0]:.4g}, %{customdata[1]:.4g}): %{y}<extra></extra>`,
    };
  });
  const yaxis = logCounts
    ? axis(o.yTitle ?? "count (log scale)", {
        type: "log",
        // Start below 1 so single counts show as bars; end a bit above the largest count.
        range: [-0.1, Math.log10(Math.max(1, maxCount)) + 0.15],
      })
    : axis(o.yTitle ?? "count", { rangemode: "tozero" });
  return {
    data,
    layout: {
      ...baseLayout(o.title),
      barmode: overlay ? "overlay" : "group",
      bargap: overlay ? 0 : 0.05,
      showlegend: o.series.length > 1,
      xaxis: axis(o.xTitle),
      yaxis,
    },
  };
}
