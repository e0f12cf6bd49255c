/**
 * Several annotated heatmaps as subplots of one figure (the paper's Fig. 3 and Fig. 6: 2×2 panels),
 * filled row by row. Each panel has its own colour range, its own colour bar just right of it, its
 * own axis titles and a panel title above it.
 *
 *   heatmapGrid([simIntra, simInter, condIntra, condInter], { columns: 2, title: "Fig. 3" })
 */
import { InvalidParameterError } from "../errors";
import { checkNonEmpty, checkPositiveInteger } from "./checks";
import { heatmapParts, type HeatmapSpec } from "./heatmap";
import { axisKey, axisRef, baseLayout } from "./layout";
import type { Annotation, Figure, Layout, PlotlyTrace } from "./types";

export interface HeatmapGridOptions {
  /** Panels per row (default 2, or fewer if there are fewer panels). */
  columns?: number;
  title?: string;
  /** Gap between panel columns / rows, as a fraction of the figure (defaults 0.14 / 0.14). */
  horizontalSpacing?: number;
  verticalSpacing?: number;
  /** Room kept right of each panel for its colour bar, as a fraction of the figure width (default 0.07). */
  colorbarSpace?: number;
}

export interface PanelDomain {
  x: [number, number];
  y: [number, number];
}

/** Panel domains in paper coordinates, row by row from the top, each leaving `colorbarSpace` on its right. */
export function gridDomains(
  count: number,
  columns: number,
  horizontalSpacing: number,
  verticalSpacing: number,
  colorbarSpace: number,
): PanelDomain[] {
  const rows = Math.ceil(count / columns);
  const w = (1 - (columns - 1) * horizontalSpacing) / columns;
  const h = (1 - (rows - 1) * verticalSpacing) / rows;
  const out: PanelDomain[] = [];
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / columns);
    const c = k % columns;
    const x0 = c * (w + horizontalSpacing);
    const y1 = 1 - r * (h + verticalSpacing);
    out.push({ x: [x0, x0 + w - colorbarSpace], y: [y1 - h, y1] });
  }
  return out;
}

export function heatmapGrid(panels: HeatmapSpec[], options: HeatmapGridOptions = {}): Figure {
  checkNonEmpty(panels, "panels", "at least one heatmap panel");
  const columns = Math.min(options.columns ?? 2, panels.length);
  checkPositiveInteger(columns, "columns");
  const hs = options.horizontalSpacing ?? 0.14;
  const vs = options.verticalSpacing ?? 0.14;
  const cb = options.colorbarSpace ?? 0.07;
  const rows = Math.ceil(panels.length / columns);
  for (const [name, v] of [["horizontalSpacing", hs], ["verticalSpacing", vs], ["colorbarSpace", cb]] as const) {
    if (!(v >= 0 && v < 0.5)) throw new InvalidParameterError(name, `expected a fraction in [0, 0.5), got ${v}`);
  }
  const w = (1 - (columns - 1) * hs) / columns;
  if (w - cb <= 0.05) {
    throw new InvalidParameterError("columns", `${columns} columns leave no room for the panels; use fewer columns or smaller spacing`);
  }
  const domains = gridDomains(panels.length, columns, hs, vs, cb);
  const data: PlotlyTrace[] = [];
  const annotations: Annotation[] = [];
  const layout: Partial<Layout> = { ...baseLayout(options.title) };
  layout.margin = { ...layout.margin, t: options.title ? 90 : 50 };
  panels.forEach((spec, k) => {
    const d = domains[k];
    const xref = axisRef("x", k);
    const yref = axisRef("y", k);
    const p = heatmapParts(spec, {
      xref,
      yref,
      argument: `panels[${k}].`,
      colorbar: {
        x: d.x[1] + 0.012,
        xanchor: "left",
        xref: "paper",
        y: (d.y[0] + d.y[1]) / 2,
        yanchor: "middle",
        yref: "paper",
        len: (d.y[1] - d.y[0]) * 1.0,
        lenmode: "fraction",
        thickness: 12,
      },
    });
    data.push(p.trace);
    annotations.push(...p.annotations);
    layout[axisKey("x", k)] = { ...p.xaxis, domain: d.x, anchor: yref };
    layout[axisKey("y", k)] = { ...p.yaxis, domain: d.y, anchor: xref };
    if (spec.title) {
      annotations.push({
        text: `<b>${spec.title}</b>`,
        x: (d.x[0] + d.x[1]) / 2,
        y: d.y[1],
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "bottom",
        yshift: 6,
        showarrow: false,
        font: { size: 14 },
      });
    }
  });
  layout.annotations = annotations;
  // Height grows with the panel rows (saveFigure and show use layout.height when not told otherwise).
  layout.height = 120 + rows * 360;
  return { data, layout };
}
