/**
 * Colour scales and text contrast. Builders always hand plotly an explicit stop list (never a plotly
 * scale name), so the colour we compute for a cell is exactly the colour plotly paints, and the
 * annotation font can switch between black and white for contrast.
 */
import { InvalidParameterError } from "../errors";
import type { ColorscaleStops } from "./types";

function even(colors: string[]): ColorscaleStops {
  return colors.map((c, i) => [i / (colors.length - 1), c]);
}

/** Named scales (sequential ones go light → dark except viridis/cividis/magma, dark → light). */
export const COLORSCALES = {
  viridis: even([
    "#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
    "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725",
  ]),
  cividis: even([
    "#00204c", "#002a66", "#00346e", "#273f6c", "#3c4a6b", "#4c556b", "#5b5f6d", "#686a70", "#757575",
    "#838178", "#928c78", "#a19876", "#b0a572", "#c0b16d", "#d1bf66", "#e1cc5c", "#f3db4f", "#ffe945",
  ]),
  magma: even(["#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55064", "#fb8761", "#fec287", "#fcfdbf"]),
  blues: even(["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]),
  reds: even(["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"]),
  greens: even(["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"]),
  greys: even(["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"]),
  ylgnbu: even(["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"]),
  rdbu: even([
    "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
  ]),
} satisfies Record<string, ColorscaleStops>;

export type ColorscaleName = keyof typeof COLORSCALES;

/** A named scale or explicit stops. */
export type ColorscaleInput = ColorscaleName | ColorscaleStops;

/** Default palette for series (bars, lines, histograms): plotly's default ten colours. */
export const SERIES_COLORS = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

export function seriesColor(i: number): string {
  return SERIES_COLORS[((i % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}

/** Resolves a scale to sorted stops, reversed if asked; validates explicit stops. */
export function resolveColorscale(scale: ColorscaleInput = "viridis", reverse = false, argument = "colorscale"): ColorscaleStops {
  let stops: ColorscaleStops;
  if (typeof scale === "string") {
    const named = (COLORSCALES as Record<string, ColorscaleStops>)[scale.toLowerCase()];
    if (!named) {
      throw new InvalidParameterError(argument, `unknown colour scale ${JSON.stringify(scale)}; known: ${Object.keys(COLORSCALES).join(", ")} (or pass [[0, "#rrggbb"], …, [1, "#rrggbb"]])`);
    }
    stops = named;
  } else {
    if (!Array.isArray(scale) || scale.length < 2) {
      throw new InvalidParameterError(argument, "expected at least two [position, colour] stops");
    }
    for (const s of scale) {
      if (!Array.isArray(s) || s.length !== 2 || !(s[0] >= 0 && s[0] <= 1)) {
        throw new InvalidParameterError(argument, `expected [position in [0, 1], colour] stops, got ${JSON.stringify(s)}`);
      }
      parseColor(s[1], argument);
    }
    stops = [...scale].sort((a, b) => a[0] - b[0]);
    if (stops[0][0] !== 0 || stops[stops.length - 1][0] !== 1) {
      throw new InvalidParameterError(argument, "stops must start at position 0 and end at position 1");
    }
  }
  return reverse ? stops.map(([t, c]) => [1 - t, c] as [number, string]).reverse() : stops.map(([t, c]) => [t, c] as [number, string]);
}

export type Rgb = [number, number, number];

/** Parses "#rgb", "#rrggbb", "rgb(r, g, b)" or "rgba(r, g, b, a)" (alpha ignored). */
export function parseColor(color: string, argument = "color"): Rgb {
  const s = String(color).trim().toLowerCase();
  let m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (m) return [parseInt(m[1] + m[1], 16), parseInt(m[2] + m[2], 16), parseInt(m[3] + m[3], 16)];
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new InvalidParameterError(argument, `expected a colour as "#rrggbb", "#rgb" or "rgb(r, g, b)", got ${JSON.stringify(color)}`);
}

/** The colour of a scale at t ∈ [0, 1] (clamped), linearly interpolated in RGB as plotly does. */
export function colorAt(stops: ColorscaleStops, t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  for (let i = 1; i < stops.length; i++) {
    const [t1, c1] = stops[i];
    if (x <= t1 || i === stops.length - 1) {
      const [t0, c0] = stops[i - 1];
      const a = parseColor(c0);
      const b = parseColor(c1);
      const w = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
      return [a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w];
    }
  }
  return parseColor(stops[0][1]);
}

/** WCAG relative luminance of an sRGB colour (0 = black, 1 = white). */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** "black" or "white", whichever has the higher WCAG contrast ratio against `background`. */
export function contrastingText(background: Rgb): "black" | "white" {
  const l = relativeLuminance(background);
  const withWhite = 1.05 / (l + 0.05);
  const withBlack = (l + 0.05) / 0.05;
  return withBlack >= withWhite ? "black" : "white";
}
