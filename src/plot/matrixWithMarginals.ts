/**
 * The paper's Fig. 7: an annotated matrix (e.g. source encoder × target encoder) with the mean of
 * each column as a bar chart on top and the mean of each row as a horizontal bar chart on the
 * right. The top bars share the matrix's x axis and the right bars its y axis, so every bar sits
 * exactly over / beside its row or column.
 *
 *   matrixWithMarginals({ z: acc, rowLabels: encoders, colLabels: encoders, xTitle: "target", yTitle: "source" })
 */
import { checkGrid, checkLabels, finiteOrNull } from "./checks";
import { formatBySpec, parseFormat } from "./format";
import { heatmapParts, type HeatmapSpec } from "./heatmap";
import { axis, baseLayout } from "./layout";
import type { Figure } from "./types";

export interface MatrixWithMarginalsOptions {
  z: ArrayLike<ArrayLike<number | null>>;
  rowLabels: ArrayLike<number | string>;
  colLabels: ArrayLike<number | string>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  colorbarTitle?: string;
  /** d3 format of the cell text, the bar labels and hovers (default ".2f"). */
  format?: string;
  colorscale?: HeatmapSpec["colorscale"];
  reverseScale?: boolean;
  zmin?: number;
  zmax?: number;
  /** Title of the marginal axes (default "mean"). */
  marginalTitle?: string;
  /** Colour of the marginal bars (default a neutral blue-grey). */
  barColor?: string;
  fontSize?: number;
}

export interface MarginalMeans {
  /** Mean of each row (over its finite values; NaN if it has none). */
  rows: number[];
  /** Mean of each column (over its finite values; NaN if it has none). */
  cols: number[];
}

/** Row and column means of a grid, ignoring NaN / null cells. */
export function marginalMeans(z: ArrayLike<ArrayLike<number | null>>): MarginalMeans {
  const [rows, cols] = checkGrid(z);
  const rowSum = new Array<number>(rows).fill(0);
  const rowN = new Array<number>(rows).fill(0);
  const colSum = new Array<number>(cols).fill(0);
  const colN = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = z[i][j];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      rowSum[i] += v;
      rowN[i]++;
      colSum[j] += v;
      colN[j]++;
    }
  }
  return {
    rows: rowSum.map((s, i) => (rowN[i] ? s / rowN[i] : NaN)),
    cols: colSum.map((s, j) => (colN[j] ? s / colN[j] : NaN)),
  };
}

/** Central area / marginal split of the figure (paper fractions). */
const MAIN = 0.8;
const GAP = 0.02;

export function matrixWithMarginals(o: MatrixWithMarginalsOptions): Figure {
  const [rows, cols] = checkGrid(o.z);
  checkLabels(o.rowLabels, rows, "rowLabels", "one per row of z");
  checkLabels(o.colLabels, cols, "colLabels", "one per column of z");
  const format = o.format ?? ".2f";
  const fmt = parseFormat(format);
  const p = heatmapParts(
    {
      z: o.z,
      x: o.colLabels,
      y: o.rowLabels,
      xTitle: o.xTitle,
      yTitle: o.yTitle,
      colorbarTitle: o.colorbarTitle,
      format,
      colorscale: o.colorscale,
      reverseScale: o.reverseScale,
      zmin: o.zmin,
      zmax: o.zmax,
      fontSize: o.fontSize,
    },
    { colorbar: { x: 1.02, xanchor: "left", y: MAIN / 2, yanchor: "middle", len: MAIN, thickness: 14 } },
  );
  const means = marginalMeans(o.z);
  const x = p.trace.x as string[];
  const y = p.trace.y as string[];
  const barColor = o.barColor ?? "#6b7f99";
  const marginalTitle = o.marginalTitle ?? "mean";
  return {
    data: [
      p.trace,
      {
        // Column means on top: shares the matrix's x axis, has its own y axis (y2).
        type: "bar",
        name: "column mean",
        x,
        y: means.cols.map(finiteOrNull),
        xaxis: "x",
        yaxis: "y2",
        marker: { color: barColor },
        text: means.cols.map((m) => (Number.isFinite(m) ? formatBySpec(m, fmt) : "")),
        textposition: "inside",
        insidetextanchor: "end",
        textfont: { color: "white", size: 10 },
        showlegend: false,
        hovertemplate: `%{x}<br>${marginalTitle}: %{y:${format}}<extra></extra>`,
      },
      {
        // Row means on the right: shares the matrix's y axis, has its own x axis (x2).
        type: "bar",
        orientation: "h",
        name: "row mean",
        x: means.rows.map(finiteOrNull),
        y,
        xaxis: "x2",
        yaxis: "y",
        marker: { color: barColor },
        text: means.rows.map((m) => (Number.isFinite(m) ? formatBySpec(m, fmt) : "")),
        textposition: "inside",
        insidetextanchor: "end",
        textfont: { color: "white", size: 10 },
        showlegend: false,
        hovertemplate: `%{y}<br>${marginalTitle}: %{x:${format}}<extra></extra>`,
      },
    ],
    layout: {
      ...baseLayout(o.title),
      showlegend: false,
      bargap: 0.15,
      xaxis: { ...p.xaxis, domain: [0, MAIN], anchor: "y" },
      yaxis: { ...p.yaxis, domain: [0, MAIN], anchor: "x" },
      xaxis2: axis(marginalTitle, { domain: [MAIN + GAP, 1], anchor: "y", rangemode: "tozero", nticks: 3, side: "bottom" }),
      yaxis2: axis(marginalTitle, { domain: [MAIN + GAP, 1], anchor: "x", rangemode: "tozero", nticks: 3 }),
      annotations: p.annotations,
    },
  };
}
