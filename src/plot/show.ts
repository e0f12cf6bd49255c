/**
 * `show(fig)` for tslab notebooks: an interactive plotly figure with no CDN, plus a PNG for viewers
 * without JavaScript, and optionally the figure saved to figuresDir() (src/config.ts: figures/ under
 * `npm run figures`, build/figures/ when a notebook runs in Jupyter).
 *
 *   await show(heatmap({...}));                       // display
 *   await show(heatmap({...}), { name: "fig3" });     // display and save <figuresDir()>/fig3.png + .svg
 *
 * In a tslab kernel:
 *   1. the first call of the kernel session emits plotly's bundle in one HTML output (`<script>`);
 *   2. each figure is ONE display_data output carrying
 *        text/html  — a hidden plot <div>, the PNG as an <img>, and a script that draws the plot with
 *                     Plotly.newPlot and then removes the <img> (see notebookHtml.ts);
 *        image/png  — the same PNG, for front ends and converters that do not render HTML
 *                     (nbconvert to PDF/LaTeX/Markdown);
 *        text/plain — "Figure: <title>".
 *      A front end renders exactly one of these, so nothing is shown twice. tslab's public display
 *      API sends one MIME type per output, so the multi-MIME output uses tslab's own
 *      display_data writer (tslab/dist/jupyter.js `lastWriteDisplayData`, the function its public
 *      `display.raw` calls); if that is not available (another tslab build), the HTML (which already
 *      contains the PNG <img>) is sent alone through `display.html`.
 * Outside tslab (node, tsx, vitest) nothing is displayed: `show` prints one line saying where the
 * figure would be saved, or saves it when `name` / `save` is given.
 *
 * Always `await show(...)`: the PNG is rendered by the shared headless-Chromium exporter.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { plotlyVersion, readPlotlyBundle } from "./bundle";
import { renderFigure, saveFigure, type SaveFigureOptions, type SavedFiles } from "./export";
import { bundleHtml, figureHtml, figureTitle } from "./notebookHtml";
import { figuresDir } from "../config";
import type { Figure } from "./types";

export interface ShowOptions {
  /** Save the figure as <dir>/<name>.png and .svg too (dir: figuresDir() unless `save` gives one). */
  name?: string;
  /**
   * Save the figure: true (name from `name`, else from the title), false (do not save, even with a
   * name), or saveFigure options (dir, formats, width, height, scale).
   */
  save?: boolean | SaveFigureOptions;
  /** Size in CSS px of the displayed plot and its PNG (default: layout.width / height, else 900×600). */
  width?: number;
  height?: number;
  /** Embed a PNG for viewers without JavaScript (default true; needs Chromium). */
  png?: boolean;
}

type WriteDisplayData = (msg: { data: Record<string, string>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

interface TslabDisplay {
  html(s: string): void;
  /** One display_data with several MIME types, if this tslab lets us send it. */
  multi?: (data: Record<string, string>) => void;
}

const BUNDLE_FLAG = Symbol.for("latent-bridge.plot.plotlyBundleEmitted");
const WARNED_FLAG = Symbol.for("latent-bridge.plot.pngFallbackWarned");
type Flags = { [BUNDLE_FLAG]?: boolean; [WARNED_FLAG]?: boolean };

/** True inside a tslab kernel (tslab's executor sets globalThis.__tslab__ before running cells). */
export function isTslabKernel(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ === "object" && typeof require === "function";
}

function loadTslabDisplay(): TslabDisplay | null {
  if (!isTslabKernel()) return null;
  let tslab: { display: { html(s: string): void } };
  try {
    // Inside the kernel this `require` is tslab's hooked one: "tslab" is the running kernel's module.
    tslab = require("tslab") as typeof tslab;
  } catch {
    return null;
  }
  const out: TslabDisplay = { html: (s) => tslab.display.html(s) };
  try {
    // The multi-MIME writer lives in the same tslab installation's jupyter.js. Use it only if that
    // installation is the running kernel's (same module instance), else stick to display.html.
    const publicPath = require.resolve("tslab");
    if (require.cache[publicPath]?.exports === tslab) {
      const jupyter = require(join(publicPath, "..", "jupyter.js")) as { lastWriteDisplayData?: WriteDisplayData | null };
      out.multi = (data) => {
        const write = jupyter.lastWriteDisplayData;
        if (typeof write !== "function") throw new Error("tslab display is not ready");
        write({ data, metadata: {}, transient: {} }, false);
      };
    }
  } catch {
    // keep html-only display
  }
  return out;
}

/** A file name from a title: "Fig. 3 — ω × δ" → "fig-3". */
export function slugify(title: string): string {
  const s = title
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
  return s || "figure";
}

function saveRequest(fig: Figure, o: ShowOptions): { name: string; options: SaveFigureOptions } | null {
  if (o.save === false) return null;
  if (o.name === undefined && !o.save) return null;
  const options: SaveFigureOptions = typeof o.save === "object" ? { ...o.save } : {};
  if (o.width !== undefined && options.width === undefined) options.width = o.width;
  if (o.height !== undefined && options.height === undefined) options.height = o.height;
  return { name: o.name ?? slugify(figureTitle(fig)), options };
}

function displaySize(fig: Figure, o: ShowOptions): { width: number; height: number } {
  const lw = fig.layout?.width;
  const lh = fig.layout?.height;
  return {
    width: o.width ?? (typeof lw === "number" ? lw : 900),
    height: o.height ?? (typeof lh === "number" ? lh : 600),
  };
}

/**
 * Emits plotly's bundle into the notebook if this kernel session has not done so yet (or if
 * `force`). `show` calls it; call it with force after clearing the output that held the bundle.
 * Returns true if it emitted the bundle. No-op outside tslab.
 */
export function initNotebookPlotting(options: { force?: boolean } = {}): boolean {
  const flags = globalThis as Flags;
  if (flags[BUNDLE_FLAG] && !options.force) return false;
  const d = loadTslabDisplay();
  if (!d) return false;
  d.html(bundleHtml(readPlotlyBundle(), plotlyVersion()));
  flags[BUNDLE_FLAG] = true;
  return true;
}

function formatSaved(saved: SavedFiles): string {
  return Object.values(saved).join(", ");
}

/** Displays a figure in a tslab notebook (see the module comment); saves it if asked. */
export async function show(fig: Figure, options: ShowOptions = {}): Promise<void> {
  const req = saveRequest(fig, options);
  const saved: SavedFiles = req ? await saveFigure(fig, req.name, req.options) : {};
  const display = loadTslabDisplay();
  if (!display) {
    const title = figureTitle(fig) || "untitled figure";
    if (req) {
      console.log(`show: not in a notebook; saved "${title}" to ${formatSaved(saved)}`);
    } else {
      const name = slugify(figureTitle(fig));
      console.log(`show: not in a notebook; "${title}" not displayed (pass { name: "${name}" } or { save: true } to write ${join(figuresDir(), name)}.png and .svg)`);
    }
    return;
  }
  const size = displaySize(fig, options);
  let pngBase64: string | undefined;
  if (options.png !== false) {
    try {
      const png = await renderFigure(fig, "png", { width: size.width, height: size.height, scale: 1 });
      pngBase64 = Buffer.from(png).toString("base64");
    } catch (e) {
      const flags = globalThis as Flags;
      if (!flags[WARNED_FLAG]) {
        flags[WARNED_FLAG] = true;
        console.error(`show: no PNG fallback (the plot is still interactive): ${(e as Error).message}`);
      }
    }
  }
  initNotebookPlotting();
  const id = `lb-fig-${randomBytes(6).toString("hex")}`;
  const html = figureHtml(fig, { id, pngBase64, width: size.width, height: size.height });
  const text = `Figure: ${figureTitle(fig) || "untitled"}${req ? ` (saved to ${formatSaved(saved)})` : ""}`;
  if (display.multi) {
    const data: Record<string, string> = { "text/html": html, "text/plain": text };
    if (pngBase64) data["image/png"] = pngBase64;
    try {
      display.multi(data);
      return;
    } catch {
      // fall back to the single-MIME public API below
    }
  }
  display.html(html);
}
