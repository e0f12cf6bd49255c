/**
 * Line plot of one or more series with optional error bars and labelled vertical reference lines
 * (e.g. accuracy vs rescale factor with a line at the mean scale).
 *
 *   linePlot({ series: [{ name: "IRP", x: factors, y: acc, yError: sd }], logX: true,
 *              verticalLines: [{ x: meanScale, label: "mean scale" }], xTitle: "rescale factor", yTitle: "accuracy" })
 */
import { InvalidParameterError } from "../errors";
import { checkNonEmpty, checkSameLength, finiteOrNull } from "./checks";
import { seriesColor } from "./colors";
import { axis, baseLayout } from "./layout";
import type { Annotation, Figure, PlotlyTrace, Shape } from "./types";

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Symmetric error (e.g. one standard deviation), one per point. */
  yError?: ArrayLike<number>;
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

export interface VerticalLine {
  x: number;
  label?: string;
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

export interface LinePlotOptions {
  series: LineSeries[];
  xTitle?: string;
  yTitle?: string;
  title?: string;
  logX?: boolean;
  logY?: boolean;
  verticalLines?: VerticalLine[];
  /** "lines+markers" (default), "lines" or "markers". */
  mode?: "lines+markers" | "lines" | "markers";
}

export function linePlot(o: LinePlotOptions): Figure {
  checkNonEmpty(o.series, "series", "at least one series");
  const data: PlotlyTrace[] = o.series.map((s, i) => {
    const arg = `series[${i}]`;
    checkSameLength(s.x, s.y, `${arg}.x`, `${arg}.y`);
    if (s.yError !== undefined) checkSameLength(s.x, s.yError, `${arg}.x`, `${arg}.yError`);
    if (o.logX) {
      for (let k = 0; k < s.x.length; k++) {
        if (!(s.x[k] > 0)) throw new InvalidParameterError(`${arg}.x`, `a log x axis needs positive x values, got ${s.x[k]} at index ${k}`);
      }
    }
    const color = s.color ?? seriesColor(i);
    const trace: PlotlyTrace = {
      type: "scatter",
      mode: o.mode ?? "lines+markers",
      name: s.name,
      x: Array.from(s.x, finiteOrNull),
      y: Array.from(s.y, finiteOrNull),
      line: { color, width: 2, dash: s.dash ?? "solid" },
      marker: { color, size: 6 },
    };
    if (s.yError !== undefined) {
      trace.error_y = { type: "data", array: Array.from(s.yError, (e) => finiteOrNull(e) ?? 0), visible: true, thickness: 1.2, width: 4, color };
    }
    return trace;
  });
  const shapes: Shape[] = [];
  const annotations: Annotation[] = [];
  (o.verticalLines ?? []).forEach((v, i) => {
    if (!Number.isFinite(v.x) || (o.logX && v.x <= 0)) {
      throw new InvalidParameterError(`verticalLines[${i}].x`, `expected a finite${o.logX ? " positive" : ""} number, got ${v.x}`);
    }
    const color = v.color ?? "#555";
    shapes.push({
      type: "line",
      xref: "x",
      yref: "paper",
      x0: v.x,
      x1: v.x,
      y0: 0,
      y1: 1,
      line: { color, width: 1.5, dash: v.dash ?? "dash" },
    });
    if (v.label) {
      annotations.push({
        text: v.label,
        // Annotations on a log axis take log10 of the position (shapes take the data value).
        x: o.logX ? Math.log10(v.x) : v.x,
        y: 1,
        xref: "x",
        yref: "paper",
        xanchor: "left",
        yanchor: "top",
        xshift: 4,
        showarrow: false,
        font: { size: 12, color },
      });
    }
  });
  return {
    data,
    layout: {
      ...baseLayout(o.title),
      showlegend: o.series.length > 1,
      xaxis: axis(o.xTitle, o.logX ? { type: "log" } : {}),
      yaxis: axis(o.yTitle, o.logY ? { type: "log" } : {}),
      shapes,
      annotations,
    },
  };
}
