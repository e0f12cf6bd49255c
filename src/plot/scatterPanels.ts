/**
 * Side-by-side scatter panels that share a colour per item, to follow the same items across spaces
 * (the paper's Fig. 1: absolute spaces, the shared relative space, the decoded space).
 *
 *   scatterPanels({ panels: [{ title: "space X", series: [{ name: "items", x, y, color: hue }] }, …] })
 *
 * The layout (exports) puts `columns` panels per row, 360 px each. For notebooks the figure also
 * carries the same panels wrapped into fewer columns (`displayLayouts`), so four panels become 2 × 2
 * in a ~1,000 px notebook column instead of a 1,440 px figure that scrolls sideways.
 */
import { checkNonEmpty, checkPositiveInteger, checkSameLength, finiteOrNull } from "./checks";
import { seriesColor } from "./colors";
import { gridDomains } from "./heatmapGrid";
import { axis, axisKey, axisRef, baseLayout } from "./layout";
import type { Annotation, DisplayLayout, Figure, Layout, PlotlyTrace } from "./types";

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

/** Panel size in the exported figure (CSS px) and the least width a panel gets on screen. */
const PANEL_WIDTH = 360;
const PANEL_HEIGHT = 360;
const MIN_SCREEN_PANEL_WIDTH = 290;
/** Room outside the panels: title, x-axis labels and legend (height), y-axis labels (width). */
const EXTRA_HEIGHT = 140;
const EXTRA_WIDTH = 100;
/** Gap between panel rows in px (panel title + x-axis labels of the row above). */
const ROW_GAP = 110;
const COLUMN_SPACING = 0.08;
/** Distance in px from the bottom row's plot area to the top of the legend. */
const LEGEND_BELOW_TICKS = 44;
const LEGEND_BELOW_TITLE = 72;

/** Column counts to wrap `count` panels into, from `columns` down to 1, without repeats. */
export function wrappedColumnCounts(count: number, columns: number): number[] {
  const out = [columns];
  for (let rows = Math.ceil(count / columns) + 1; rows <= count; rows++) {
    const c = Math.ceil(count / rows);
    if (c < out[out.length - 1]) out.push(c);
  }
  return out;
}

function panelsLayout(o: ScatterPanelsOptions, columns: number): Partial<Layout> {
  const rows = Math.ceil(o.panels.length / columns);
  const base = baseLayout(o.title);
  const verticalMargins = (base.margin?.t ?? 0) + (base.margin?.b ?? 0);
  const height = EXTRA_HEIGHT + rows * PANEL_HEIGHT + (rows - 1) * ROW_GAP;
  const plotHeight = height - verticalMargins;
  const domains = gridDomains(o.panels.length, columns, COLUMN_SPACING, ROW_GAP / plotHeight, 0);
  // Panel titles sit the same distance in px above their panels whatever the number of rows, and
  // the legend below the bottom row's tick labels, or below its x-axis titles if it has any.
  const px = (EXTRA_HEIGHT + PANEL_HEIGHT - verticalMargins) / plotHeight;
  const bottomRowHasXTitle = o.panels.slice((rows - 1) * columns).some((panel) => !!panel.xTitle);
  const legendY = -(bottomRowHasXTitle ? LEGEND_BELOW_TITLE : LEGEND_BELOW_TICKS) / plotHeight;
  const layout: Partial<Layout> = { ...base, showlegend: true, legend: { orientation: "h", y: legendY } };
  const annotations: Annotation[] = [];
  o.panels.forEach((panel, p) => {
    const d = domains[p];
    layout[axisKey("x", p)] = axis(panel.xTitle, { domain: d.x, anchor: axisRef("y", p) });
    layout[axisKey("y", p)] = axis(panel.yTitle, {
      domain: d.y, anchor: axisRef("x", p),
      ...(panel.equalAxes ?? true ? { scaleanchor: axisRef("x", p), scaleratio: 1 } : {}),
    });
    annotations.push({
      text: `<b>${panel.title}</b>`, x: (d.x[0] + d.x[1]) / 2, y: d.y[1] + 0.02 * px, xref: "paper", yref: "paper",
      xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 13 },
    });
  });
  layout.annotations = annotations;
  layout.width = Math.max(420, PANEL_WIDTH * columns);
  layout.height = height;
  return layout;
}

export function scatterPanels(o: ScatterPanelsOptions): Figure {
  checkNonEmpty(o.panels, "panels", "at least one panel");
  const columns = Math.min(o.columns ?? o.panels.length, o.panels.length);
  checkPositiveInteger(columns, "columns");
  const data: PlotlyTrace[] = [];
  const legendSeen = new Set<string>();
  o.panels.forEach((panel, p) => {
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
  const counts = wrappedColumnCounts(o.panels.length, columns);
  const displayLayouts: DisplayLayout[] = counts.map((c) => ({
    minWidth: c === 1 ? 0 : EXTRA_WIDTH + MIN_SCREEN_PANEL_WIDTH * c,
    layout: panelsLayout(o, c),
  }));
  return { data, layout: displayLayouts[0].layout, ...(displayLayouts.length > 1 ? { displayLayouts } : {}) };
}
