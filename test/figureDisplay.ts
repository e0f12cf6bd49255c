/**
 * Test helper: draws notebook figure outputs (the HTML `show` emits, see src/plot/notebookHtml.ts)
 * in headless Chromium inside an output area of a given width, and measures what a reader sees:
 * the drawn plot's width, whether anything sticks out sideways (the output would scroll), and how
 * many panel columns were drawn.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../src/plot/export";
import { locatePlotlyBundle } from "../src/plot/bundle";

/**
 * Width in CSS px of a Jupyter Notebook 6 output (the content box of `.output_subarea`) in a
 * 1,280 px wide browser window, measured in Notebook 6.4.12 (test/jupyter.browser.test.ts checks it).
 */
export const NOTEBOOK6_OUTPUT_WIDTH = 967;

export interface DisplayedFigure {
  title: string;
  /** Width of the output area the figure was drawn in. */
  outputWidth: number;
  /** Width and height of the drawn plot (plotly's main <svg>). */
  svgWidth: number;
  svgHeight: number;
  /** px by which the output's content is wider than the output (> 0: it scrolls sideways). */
  overflow: number;
  /** Number of distinct panel columns (x positions of the subplots). */
  columns: number;
  /** Every subplot and the modebar lie inside the output area. */
  allInside: boolean;
}

export interface FigurePage {
  /** Draws each figure's HTML in its own output area `outputWidth` px wide (or the window's width if omitted) and measures it. */
  measure(htmls: string[], outputWidth?: number): Promise<DisplayedFigure[]>;
  /** Resizes the browser window (outputs drawn without a width follow it). */
  resize(width: number): Promise<void>;
  /** Measures the figures already on the page again (after a resize). */
  remeasure(): Promise<DisplayedFigure[]>;
  page: Page;
  close(): Promise<void>;
}

/**
 * Runs in the page (as source text, so that no bundler helper such as esbuild's __name can leak into
 * it): one DisplayedFigure per `.lb-test-output`.
 */
const MEASURE_IN_PAGE = `(() => {
  const measured = [];
  for (const out of document.querySelectorAll(".lb-test-output")) {
    const plot = out.querySelector(".js-plotly-plot");
    const svg = plot && plot.querySelector(".main-svg");
    const box = out.getBoundingClientRect();
    const inside = (el) => { const r = el.getBoundingClientRect(); return r.left >= box.left - 1 && r.right <= box.right + 1; };
    // A subplot's group holds its plot area, tick labels and axis titles.
    const subplots = plot ? [...plot.querySelectorAll(".cartesianlayer .subplot")] : [];
    const full = (plot && plot._fullLayout) || {};
    const lefts = new Set(Object.keys(full).filter((k) => /^xaxis\\d*$/.test(k)).map((k) => (full[k].domain || [])[0]));
    const modebar = plot && plot.querySelector(".modebar");
    const title = plot && plot.querySelector(".gtitle");
    measured.push({
      title: title ? title.textContent : "",
      outputWidth: out.clientWidth,
      svgWidth: svg ? Math.round(svg.getBoundingClientRect().width) : -1,
      svgHeight: svg ? Math.round(svg.getBoundingClientRect().height) : -1,
      overflow: out.scrollWidth - out.clientWidth,
      columns: lefts.size,
      allInside: !!svg && subplots.every(inside) && (!modebar || inside(modebar)),
    });
  }
  return measured;
})()`;

export async function openFigurePage(windowWidth = 1280): Promise<FigurePage> {
  const profile = mkdtempSync(join(tmpdir(), "lb-figure-page-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS], viewport: { width: windowWidth, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0"></body></html>');
    await page.addScriptTag({ content: readFileSync(locatePlotlyBundle(), "utf8") });
    const ctx = context;
    const remeasure = () => page.evaluate(MEASURE_IN_PAGE) as Promise<DisplayedFigure[]>;
    return {
      page,
      async measure(htmls, outputWidth) {
        await page.evaluate(({ htmls, outputWidth }) => {
          document.body.innerHTML = "";
          for (const html of htmls) {
            const out = document.createElement("div");
            out.className = "lb-test-output";
            out.style.cssText = `${outputWidth ? `width:${outputWidth}px;` : ""}overflow-x:auto;margin-bottom:20px;`;
            out.innerHTML = html;
            document.body.appendChild(out);
            // innerHTML does not run scripts; a front end does: re-create them so they run.
            for (const old of [...out.querySelectorAll("script")]) {
              const s = document.createElement("script");
              s.textContent = old.textContent;
              old.replaceWith(s);
            }
          }
        }, { htmls, outputWidth });
        // Drawn: every output has its plot and the PNG fallback was removed after drawing.
        await page.waitForFunction(() => [...document.querySelectorAll(".lb-test-output")].every(
          (out) => out.querySelector(".js-plotly-plot .main-svg") && !out.querySelector("img[id$='-png']"),
        ), null, { timeout: 30_000 });
        return remeasure();
      },
      async resize(width) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(600); // the figure script waits 150 ms after the last resize event
      },
      remeasure,
      async close() {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

type Output = { output_type: string; data?: Record<string, string | string[]> };
const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : v ?? "");

/** The figure outputs of an executed notebook: their HTML and their text/plain ("Figure: … (saved to …)"). */
export function notebookFigures(executedNotebook: string): Array<{ html: string; text: string }> {
  const nb = JSON.parse(readFileSync(executedNotebook, "utf8")) as { cells: Array<{ outputs?: Output[] }> };
  return nb.cells.flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === "display_data" && joined(o.data?.["text/html"]).includes('class="latent-bridge-figure"'))
    .map((o) => ({ html: joined(o.data!["text/html"]), text: joined(o.data!["text/plain"]) }));
}
