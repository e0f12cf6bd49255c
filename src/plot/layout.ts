/** The look shared by every figure: white background, DejaVu Sans (installed with chromium here), titles. */
import type { Axis, Layout } from "./types";

export const FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif";

export function baseLayout(title?: string): Partial<Layout> {
  return {
    title: { text: title ?? "", x: 0.5, xanchor: "center" },
    font: { family: FONT_FAMILY, size: 13, color: "#222" },
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    margin: { l: 70, r: 30, t: title ? 70 : 30, b: 60 },
  };
}

export function axis(title: string | undefined, extra: Axis = {}): Axis {
  return {
    ...(title ? { title: { text: title } } : {}),
    automargin: true,
    showline: true,
    linecolor: "#444",
    ticks: "outside",
    gridcolor: "#e5e5e5",
    zeroline: false,
    ...extra,
  };
}

/** Axis layout key for a subplot index: 0 → "xaxis", 1 → "xaxis2", … */
export function axisKey(letter: "x" | "y", index: number): string {
  return index === 0 ? `${letter}axis` : `${letter}axis${index + 1}`;
}

/** Trace axis reference for a subplot index: 0 → "x", 1 → "x2", … */
export function axisRef(letter: "x" | "y", index: number): string {
  return index === 0 ? letter : `${letter}${index + 1}`;
}
