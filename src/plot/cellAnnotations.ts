/**
 * Per-cell text for annotated heatmaps: one plotly annotation per finite cell, the value formatted
 * with a d3-style spec, in black or white depending on the cell's colour.
 */
import { colorAt, contrastingText } from "./colors";
import { formatBySpec, parseFormat } from "./format";
import type { Annotation, ColorscaleStops } from "./types";

export interface CellAnnotationOptions {
  /** Category labels of the columns / rows (strings, as on the category axes; used for counts). */
  x: string[];
  y: string[];
  /** Axis references, e.g. "x2" / "y2" for the second subplot. */
  xref?: string;
  yref?: string;
  format?: string;
  /** The stops plotly paints with (already reversed if the scale is reversed). */
  stops: ColorscaleStops;
  zmin: number;
  zmax: number;
  fontSize?: number;
}

/** A font size that fits the cell count: 12 px up to 8×8, then smaller. */
export function defaultCellFontSize(rows: number, cols: number): number {
  const n = Math.max(rows, cols);
  return n <= 8 ? 12 : n <= 12 ? 10 : n <= 20 ? 8 : 7;
}

export function cellAnnotations(z: ArrayLike<ArrayLike<number | null>>, o: CellAnnotationOptions): Annotation[] {
  const fmt = parseFormat(o.format ?? ".2f");
  const span = o.zmax - o.zmin;
  const size = o.fontSize ?? defaultCellFontSize(z.length, o.x.length);
  const out: Annotation[] = [];
  for (let i = 0; i < z.length; i++) {
    for (let j = 0; j < o.x.length; j++) {
      const v = z[i][j];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      const t = span > 0 ? (v - o.zmin) / span : 0.5;
      out.push({
        text: formatBySpec(v, fmt),
        // On a category axis an annotation's position is the category's index (a label like "4"
        // would be read as index 4).
        x: j,
        y: i,
        xref: o.xref ?? "x",
        yref: o.yref ?? "y",
        showarrow: false,
        font: { size, color: contrastingText(colorAt(o.stops, t)) },
      });
    }
  }
  return out;
}
