/** Figures as JSON: typed arrays become plain arrays, NaN / ±Infinity become null (plotly's gaps). */
import type { Figure } from "./types";

function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** JSON text of a figure's data and (publication) layout, undefined fields dropped: what exports draw. */
export function figureToJson(fig: Figure): string {
  return JSON.stringify({ data: fig.data, layout: fig.layout }, replacer);
}

/** A plain-data copy of a figure, safe to send to a browser or a worker. */
export function plainFigure(fig: Figure): Figure {
  return JSON.parse(figureToJson(fig)) as Figure;
}

/**
 * JSON that can sit inside an inline <script> in HTML: "<", ">", "&" and the line separators are
 * escaped (still valid JSON / JavaScript), so "</script>" in a title cannot end the script.
 */
export function figureToScriptJson(fig: Figure): string {
  // The notebook display also needs the layouts it can choose from by width.
  const json = fig.displayLayouts?.length
    ? JSON.stringify({ data: fig.data, layout: fig.layout, displayLayouts: fig.displayLayouts }, replacer)
    : figureToJson(fig);
  return json
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
