/**
 * Side-by-side scatter panels that share a colour per item, to follow the same items across spaces
 * (the paper's Fig. 1: absolute spaces, the shared relative space, the decoded space).
 *
 *   scatterPanels({ panels: [{ title: "space X", series: [{ name: "items", x, y, color: hue }] }, …] })
 */
import { checkNonEmpty, checkSameLength, finiteOrNull } from "./checks";
import { seriesColor } from "./colors";
import { gridDomains } from "./heatmapGrid";
import { axis, axisKey, axisRef, baseLayout } from "./layout";
import type { Annotation, Figure, PlotlyTrace } from "./types";

export interface ScatterSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** One number per point (mapped through `colorscale`) or one CSS colour for the series. */
  color?: ArrayLike<number> | string;
  symbol?: "circle" | "x" | "diamond" | "star" | "square" | "cross" | "circle-open";
  size?: number;
  /** Hover/label text per point. */
  text?: string[];
  /** Draw `text` beside the markers. */
  showText?: boolean;
}

export interface ScatterPanel {
  title: string;
  series: ScatterSeries[];
  xTitle?: string;
  yTitle?: string;
  /** Same scale on both axes (geometry is meaningful). Default true. */
  equalAxes?: boolean;
}

export interface ScatterPanelsOptions {
  panels: ScatterPanel[];
  columns?: number;
  title?: string;
  /** Colour scale of per-point colours; default a cyclic hue wheel (angles wrap around). */
  colorscale?: string | Array<[number, string]>;
}

/** A cyclic hue wheel: the first and last colours are equal, so angles 0 and 2π look the same. */
const HUE_WHEEL: Array<[number, string]> = [
  [0, "#e6194b"], [1 / 6, "#f58231"], [2 / 6, "#bfa100"], [3 / 6, "#3cb44b"], [4 / 6, "#4363d8"], [5 / 6, "#911eb4"], [1, "#e6194b"],
];

export function scatterPanels(o: ScatterPanelsOptions): Figure {
  checkNonEmpty(o.panels, "panels", "at least one panel");
  const columns = o.columns ?? o.panels.length;
  const rows = Math.ceil(o.panels.length / columns);
  const domains = gridDomains(o.panels.length, columns, 0.08, 0.16, 0);
  const layout = { ...baseLayout(o.title), showlegend: true, legend: { orientation: "h", y: -0.12 } } as Figure["layout"];
  const data: PlotlyTrace[] = [];
  const annotations: Annotation[] = [];
  const legendSeen = new Set<string>();
  o.panels.forEach((panel, p) => {
    const d = domains[p];
    layout[axisKey("x", p)] = axis(panel.xTitle, { domain: d.x, anchor: axisRef("y", p) });
    layout[axisKey("y", p)] = axis(panel.yTitle, {
      domain: d.y, anchor: axisRef("x", p),
      ...(panel.equalAxes ?? true ? { scaleanchor: axisRef("x", p), scaleratio: 1 } : {}),
    });
    annotations.push({
      text: `<b>${panel.title}</b>`, x: (d.x[0] + d.x[1]) / 2, y: d.y[1] + 0.02, xref: "paper", yref: "paper",
      xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 13 },
    });
    panel.series.forEach((s, i) => {
      const arg = `panels[${p}].series[${i}]`;
      checkSameLength(s.x, s.y, `${arg}.x`, `${arg}.y`);
      const perPoint = s.color !== undefined && typeof s.color !== "string";
      if (perPoint) checkSameLength(s.x, s.color as ArrayLike<number>, `${arg}.x`, `${arg}.color`);
      data.push({
        type: "scatter",
        mode: s.showText ? "markers+text" : "markers",
        name: s.name,
        legendgroup: s.name,
        showlegend: !legendSeen.has(s.name),
        x: Array.from(s.x, finiteOrNull),
        y: Array.from(s.y, finiteOrNull),
        xaxis: axisRef("x", p),
        yaxis: axisRef("y", p),
        text: s.text,
        textposition: "top center",
        marker: {
          size: s.size ?? 7,
          symbol: s.symbol ?? "circle",
          color: perPoint ? Array.from(s.color as ArrayLike<number>) : (s.color ?? seriesColor(i)),
          ...(perPoint ? { colorscale: o.colorscale ?? HUE_WHEEL, cmin: Math.min(...Array.from(s.color as ArrayLike<number>)), cmax: Math.max(...Array.from(s.color as ArrayLike<number>)) } : {}),
          line: { width: s.symbol === "star" || s.symbol === "diamond" ? 1 : 0, color: "#111" },
        },
      });
      legendSeen.add(s.name);
    });
  });
  layout.annotations = annotations;
  layout.width = Math.max(420, 360 * columns);
  layout.height = 140 + 360 * rows;
  return { data, layout };
}
