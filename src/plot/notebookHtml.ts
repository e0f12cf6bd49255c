/**
 * The HTML that `show` puts in notebook outputs (pure string builders; no I/O).
 *
 * - bundleHtml: plotly's whole bundle in one <script>, emitted once per kernel session, so figures
 *   need no CDN and work offline in a trusted notebook.
 * - figureHtml: one figure = a hidden <div> for the interactive plot + an <img> with the static PNG
 *   + a small script. With JavaScript (and plotly loaded) the script shows the div, draws the plot
 *   with Plotly.newPlot and then removes the <img>, so the figure appears once; a viewer without
 *   JavaScript (GitHub, an untrusted notebook, nbconvert without scripts) shows only the PNG.
 *
 * The interactive plot fits the output's width: the script drops the layout's fixed width (plotly
 * then fills the div and follows window resizes), and if the figure has `displayLayouts` it draws the
 * widest one whose minWidth fits (panels wrapped into fewer columns), choosing again on resize. The
 * PNG and exported files keep the publication layout and size; the <img> only shrinks to fit.
 */
import { figureToScriptJson } from "./serialize";
import type { Figure } from "./types";

export interface FigureHtmlOptions {
  /** Unique element id (letters, digits, "-" and "_"). */
  id: string;
  /** Base64 PNG of the figure for viewers without JavaScript (omitted: no fallback). */
  pngBase64?: string;
  /** Plot height in px until plotly draws (then the drawn layout's height; width follows the output area). */
  height: number;
  /** Width of the PNG fallback in CSS px (it shrinks to fit narrower outputs). */
  width: number;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The figure's title as plain text (tags stripped), for alt text and text/plain. */
export function figureTitle(fig: Figure): string {
  const t = fig.layout?.title;
  const text = typeof t === "string" ? t : typeof t?.text === "string" ? t.text : "";
  return text.replace(/<[^>]*>/g, "").trim();
}

export function figureHtml(fig: Figure, o: FigureHtmlOptions): string {
  if (!/^[A-Za-z][\w-]*$/.test(o.id)) throw new Error(`figureHtml: bad element id ${JSON.stringify(o.id)}`);
  const title = figureTitle(fig) || "figure";
  const img = o.pngBase64
    ? `<img id="${o.id}-png" src="data:image/png;base64,${o.pngBase64}" alt="${escapeAttr(title)}" style="max-width:100%;width:${o.width}px;height:auto;">`
    : "";
  return [
    `<div class="latent-bridge-figure">`,
    `<div id="${o.id}" style="display:none;width:100%;height:${o.height}px;"></div>`,
    img,
    `</div>`,
    `<script type="text/javascript">`,
    `(function () {`,
    `  var fig = ${figureToScriptJson(fig)};`,
    `  var choices = fig.displayLayouts || [{ minWidth: 0, layout: fig.layout }];`,
    `  var tries = 0, shown = -1, timer = null;`,
    `  function pick(width) {`,
    `    for (var i = 0; i < choices.length; i++) if (width >= choices[i].minWidth) return i;`,
    `    return choices.length - 1;`,
    `  }`,
    // A fresh copy each time (plotly writes into the layout it is given), without the fixed width.
    `  function layoutAt(i, el) {`,
    `    var layout = JSON.parse(JSON.stringify(choices[i].layout));`,
    `    delete layout.width;`,
    `    layout.autosize = true;`,
    `    if (typeof layout.height === "number") el.style.height = layout.height + "px";`,
    `    return layout;`,
    `  }`,
    `  function onResize() {`,
    `    clearTimeout(timer);`,
    `    timer = setTimeout(function () {`,
    `      var el = document.getElementById(${JSON.stringify(o.id)});`,
    `      if (!el) { window.removeEventListener("resize", onResize); return; }`,
    `      var i = pick(el.clientWidth);`,
    `      if (i !== shown) { shown = i; window.Plotly.react(el, fig.data, layoutAt(i, el)); }`,
    `    }, 150);`,
    `  }`,
    `  function draw() {`,
    `    var el = document.getElementById(${JSON.stringify(o.id)});`,
    `    var P = window.Plotly;`,
    // Plotly may still be loading (or its output was cleared): retry for ~10 s, keep the PNG meanwhile.
    `    if (!el || !P) { if (++tries < 100) setTimeout(draw, 100); return; }`,
    `    el.style.display = "block";`,
    `    shown = pick(el.clientWidth);`,
    `    P.newPlot(el, fig.data, layoutAt(shown, el), { responsive: true, displaylogo: false }).then(function () {`,
    `      var img = document.getElementById(${JSON.stringify(o.id + "-png")});`,
    `      if (img && img.parentNode) img.parentNode.removeChild(img);`,
    `      if (choices.length > 1) window.addEventListener("resize", onResize);`,
    `    }, function () { el.style.display = "none"; });`,
    `  }`,
    `  draw();`,
    `})();`,
    `</script>`,
  ].join("\n");
}

/** plotly's bundle as an inline <script> (any "</script" inside is escaped so it cannot end the tag). */
export function bundleHtml(bundleSource: string, version = ""): string {
  const safe = bundleSource.replace(/<\/(script)/gi, "<\\/$1");
  return [
    `<script type="text/javascript">`,
    `/* plotly.js ${version} from the npm package plotly.js-dist-min, embedded once per kernel session by latent-bridge (no CDN) */`,
    safe,
    `</script>`,
  ].join("\n");
}
