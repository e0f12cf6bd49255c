/**
 * Grouped bar chart: one bar per category and series, with optional error bars.
 *
 *   barChart({ categories: ["IRP", "Procrustes", "LSQ"], series: [{ name: "cos", values, errors }], yTitle: "similarity" })
 */
import { checkNonEmpty, checkSameLength, categoryLabels, finiteOrNull } from "./checks";
import { seriesColor } from "./colors";
import { parseFormat } from "./format";
import { axis, baseLayout } from "./layout";
import type { Figure, PlotlyTrace } from "./types";

export interface BarSeries {
  name: string;
  values: ArrayLike<number>;
  /** Symmetric error per bar. */
  errors?: ArrayLike<number>;
  color?: string;
}

export interface BarChartOptions {
  categories: ArrayLike<number | string>;
  series: BarSeries[];
  xTitle?: string;
  yTitle?: string;
  title?: string;
  /** Write each bar's value above it with this d3 format (e.g. ".2f"); default: no text. */
  valueFormat?: string;
}

export function barChart(o: BarChartOptions): Figure {
  checkNonEmpty(o.categories, "categories", "at least one category");
  checkNonEmpty(o.series, "series", "at least one series");
  const x = categoryLabels(o.categories);
  if (o.valueFormat !== undefined) parseFormat(o.valueFormat, "valueFormat");
  const data: PlotlyTrace[] = o.series.map((s, i) => {
    checkSameLength(o.categories, s.values, "categories", `series[${i}].values`);
    if (s.errors !== undefined) checkSameLength(o.categories, s.errors, "categories", `series[${i}].errors`);
    const color = s.color ?? seriesColor(i);
    const trace: PlotlyTrace = {
      type: "bar",
      name: s.name,
      x,
      y: Array.from(s.values, finiteOrNull),
      marker: { color },
    };
    if (s.errors !== undefined) {
      trace.error_y = { type: "data", array: Array.from(s.errors, (e) => finiteOrNull(e) ?? 0), visible: true, thickness: 1.2, width: 5, color: "#333" };
    }
    if (o.valueFormat) {
      trace.texttemplate = `%{y:${o.valueFormat}}`;
      // Error bars would cross text above the bar, so then the value goes inside its top.
      trace.textposition = s.errors !== undefined ? "inside" : "outside";
      trace.insidetextanchor = "end";
      trace.cliponaxis = false;
    }
    return trace;
  });
  return {
    data,
    layout: {
      ...baseLayout(o.title),
      barmode: "group",
      showlegend: o.series.length > 1,
      xaxis: axis(o.xTitle, { type: "category", showgrid: false }),
      yaxis: axis(o.yTitle),
    },
  };
}
