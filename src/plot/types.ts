/**
 * Light, structural types for plotly figure specs. They cover what the builders in src/plot emit and
 * stay open (`[key: string]: unknown`) so any other plotly attribute can be added by hand; we do not
 * depend on @types/plotly.js. A figure is plain JSON data: build it with the pure builders, then
 * display it (`show`) or export it (`saveFigure`).
 */

/** A value on a plotly axis: a number, or a category / date string. */
export type Datum = number | string | null;

/** A colour scale as plotly takes it: `[[0, "#440154"], …, [1, "#fde725"]]`. */
export type ColorscaleStops = Array<[number, string]>;

export interface Font {
  family?: string;
  size?: number;
  color?: string;
  [key: string]: unknown;
}

export interface Title {
  text?: string;
  font?: Font;
  side?: string;
  [key: string]: unknown;
}

export interface ErrorBar {
  type?: "data" | "percent" | "constant" | "sqrt";
  array?: number[];
  visible?: boolean;
  thickness?: number;
  width?: number;
  color?: string;
  [key: string]: unknown;
}

export interface ColorBar {
  title?: Title;
  x?: number;
  y?: number;
  len?: number;
  thickness?: number;
  xanchor?: "left" | "center" | "right";
  yanchor?: "top" | "middle" | "bottom";
  xpad?: number;
  [key: string]: unknown;
}

/** One plotly trace (scatter, bar, heatmap, …). */
export interface PlotlyTrace {
  type: string;
  name?: string;
  x?: Datum[];
  y?: Datum[];
  z?: Array<Array<number | null>>;
  text?: string | string[] | string[][];
  mode?: string;
  orientation?: "v" | "h";
  xaxis?: string;
  yaxis?: string;
  marker?: Record<string, unknown>;
  line?: Record<string, unknown>;
  error_y?: ErrorBar;
  error_x?: ErrorBar;
  colorscale?: ColorscaleStops | string;
  reversescale?: boolean;
  zmin?: number;
  zmax?: number;
  showscale?: boolean;
  colorbar?: ColorBar;
  width?: number | number[];
  opacity?: number;
  hovertemplate?: string;
  showlegend?: boolean;
  [key: string]: unknown;
}

export interface Axis {
  title?: Title;
  type?: "-" | "linear" | "log" | "date" | "category";
  autorange?: boolean | "reversed";
  range?: [number, number];
  domain?: [number, number];
  anchor?: string;
  matches?: string;
  showticklabels?: boolean;
  tickformat?: string;
  ticks?: "" | "inside" | "outside";
  automargin?: boolean;
  zeroline?: boolean;
  showgrid?: boolean;
  constrain?: "range" | "domain";
  [key: string]: unknown;
}

export interface Annotation {
  text: string;
  x?: Datum;
  y?: Datum;
  xref?: string;
  yref?: string;
  xanchor?: "auto" | "left" | "center" | "right";
  yanchor?: "auto" | "top" | "middle" | "bottom";
  showarrow?: boolean;
  font?: Font;
  [key: string]: unknown;
}

export interface Shape {
  type: "line" | "rect" | "circle" | "path";
  x0?: Datum;
  x1?: Datum;
  y0?: Datum;
  y1?: Datum;
  xref?: string;
  yref?: string;
  line?: { color?: string; width?: number; dash?: string };
  [key: string]: unknown;
}

export interface Margin {
  l?: number;
  r?: number;
  t?: number;
  b?: number;
  pad?: number;
}

/** Plotly layout. `xaxis2`, `yaxis3`, … are reachable through the index signature. */
export interface Layout {
  title: Title;
  width: number;
  height: number;
  font: Font;
  margin: Margin;
  showlegend: boolean;
  legend: Record<string, unknown>;
  barmode: "group" | "overlay" | "stack" | "relative";
  bargap: number;
  xaxis: Axis;
  yaxis: Axis;
  annotations: Annotation[];
  shapes: Shape[];
  paper_bgcolor: string;
  plot_bgcolor: string;
  [key: string]: unknown;
}

/**
 * One layout a notebook may draw a figure with: used when the notebook output is at least
 * `minWidth` CSS px wide (e.g. the same panels wrapped into fewer columns for a narrower column).
 */
export interface DisplayLayout {
  minWidth: number;
  layout: Partial<Layout>;
}

/** A plotly figure: what every builder returns and what `show` / `saveFigure` take. */
export interface Figure {
  data: PlotlyTrace[];
  /** The publication layout: exports (`saveFigure`) always use it, at its width and height. */
  layout: Partial<Layout>;
  /**
   * For the interactive notebook display only: layouts to choose from by the output's width, widest
   * first (the first whose minWidth fits is drawn, else the last). Without it, `layout` is drawn.
   * Either way the notebook drops the layout's fixed width and fills the output's width.
   */
  displayLayouts?: DisplayLayout[];
}
