/**
 * Annotated heatmap: each cell carries its value as text (e.g. accuracy over an ω × δ grid), with
 * black or white text depending on the cell colour. Row 0 is drawn at the top (matrix orientation)
 * unless `origin: "bottom"`.
 *
 *   heatmap({ z, x: omegas, y: deltas, title: "IRP accuracy", xTitle: "ω", yTitle: "δ", colorbarTitle: "acc" })
 */
import { InvalidParameterError } from "../errors";
import { cellAnnotations } from "./cellAnnotations";
import { categoryLabels, checkGrid, checkLabels, finiteOrNull } from "./checks";
import { resolveColorscale, type ColorscaleInput } from "./colors";
import { parseFormat } from "./format";
import { axis, baseLayout } from "./layout";
import type { Annotation, Axis, ColorBar, Figure, PlotlyTrace } from "./types";

export interface HeatmapSpec {
  /** Rows of values; z[i][j] is drawn at (x[j], y[i]). NaN or null leaves a cell empty. */
  z: ArrayLike<ArrayLike<number | null>>;
  /** Column labels (one per column of z). */
  x: ArrayLike<number | string>;
  /** Row labels (one per row of z). */
  y: ArrayLike<number | string>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  colorbarTitle?: string;
  /** Write each cell's value on it (default true). */
  annotate?: boolean;
  /** d3-style format of the cell text and the hover value (default ".2f"). */
  format?: string;
  /** Colour scale: a name from COLORSCALES (default "viridis") or explicit stops. */
  colorscale?: ColorscaleInput;
  reverseScale?: boolean;
  /** Colour range; defaults to the finite min / max of z. */
  zmin?: number;
  zmax?: number;
  /** Where row 0 goes: "top" (default, like a matrix) or "bottom" (like a y axis). */
  origin?: "top" | "bottom";
  /** Cell text size in px (default depends on the grid size). */
  fontSize?: number;
}

export interface HeatmapParts {
  trace: PlotlyTrace;
  annotations: Annotation[];
  xaxis: Axis;
  yaxis: Axis;
  zmin: number;
  zmax: number;
}

/** The finite min / max of z (±0.5 around a constant grid; [0, 1] if nothing is finite). */
export function finiteRange(z: ArrayLike<ArrayLike<number | null>>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < z.length; i++) {
    for (let j = 0; j < z[i].length; j++) {
      const v = z[i][j];
      if (typeof v === "number" && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function checkUnique(labels: string[], argument: string): void {
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new InvalidParameterError(argument, `labels must be distinct, ${JSON.stringify(l)} appears twice`);
    seen.add(l);
  }
}

/**
 * The pieces of one heatmap panel on the given axes (used by heatmap, heatmapGrid and
 * matrixWithMarginals): the trace, its cell annotations and the two category axes.
 */
export function heatmapParts(
  spec: HeatmapSpec,
  where: { xref?: string; yref?: string; colorbar?: ColorBar; argument?: string } = {},
): HeatmapParts {
  const arg = where.argument ?? "";
  const [rows, cols] = checkGrid(spec.z, `${arg}z`);
  checkLabels(spec.x, cols, `${arg}x`, "one per column of z");
  checkLabels(spec.y, rows, `${arg}y`, "one per row of z");
  const x = categoryLabels(spec.x);
  const y = categoryLabels(spec.y);
  checkUnique(x, `${arg}x`);
  checkUnique(y, `${arg}y`);
  const format = spec.format ?? ".2f";
  parseFormat(format, `${arg}format`);
  let [zmin, zmax] = finiteRange(spec.z);
  if (spec.zmin !== undefined) zmin = spec.zmin;
  if (spec.zmax !== undefined) zmax = spec.zmax;
  if (!Number.isFinite(zmin) || !Number.isFinite(zmax) || zmin >= zmax) {
    throw new InvalidParameterError(`${arg}zmin`, `expected finite zmin < zmax, got zmin=${zmin}, zmax=${zmax}`);
  }
  const stops = resolveColorscale(spec.colorscale ?? "viridis", spec.reverseScale ?? false, `${arg}colorscale`);
  const xref = where.xref ?? "x";
  const yref = where.yref ?? "y";
  const z = Array.from(spec.z, (row) => Array.from(row, (v) => finiteOrNull(v)));
  const hoverX = spec.xTitle || "x";
  const hoverY = spec.yTitle || "y";
  const hoverZ = spec.colorbarTitle || "value";
  const trace: PlotlyTrace = {
    type: "heatmap",
    z,
    x,
    y,
    xaxis: xref,
    yaxis: yref,
    colorscale: stops,
    zmin,
    zmax,
    xgap: 1,
    ygap: 1,
    hoverongaps: false,
    colorbar: {
      title: { text: spec.colorbarTitle ?? "", side: "right" },
      thickness: 14,
      ...where.colorbar,
    },
    hovertemplate: `${hoverX}: %{x}<br>${hoverY}: %{y}<br>${hoverZ}: %{z:${format}}<extra></extra>`,
  };
  const annotations = spec.annotate === false
    ? []
    : cellAnnotations(z, { x, y, xref, yref, format, stops, zmin, zmax, fontSize: spec.fontSize });
  return {
    trace,
    annotations,
    xaxis: axis(spec.xTitle, { type: "category", showgrid: false, showline: false, ticks: "", ticklabelstandoff: 4 }),
    yaxis: axis(spec.yTitle, {
      type: "category",
      showgrid: false,
      showline: false,
      ticks: "",
      ticklabelstandoff: 6,
      autorange: (spec.origin ?? "top") === "top" ? "reversed" : true,
    }),
    zmin,
    zmax,
  };
}

/** One annotated heatmap as a plotly figure. */
export function heatmap(spec: HeatmapSpec): Figure {
  const p = heatmapParts(spec);
  return {
    data: [p.trace],
    layout: {
      ...baseLayout(spec.title),
      xaxis: p.xaxis,
      yaxis: p.yaxis,
      annotations: p.annotations,
    },
  };
}
