/**
 * The code of the export worker thread, as plain CommonJS JavaScript source (run with
 * `new Worker(EXPORT_WORKER_SOURCE, { eval: true })`). Keeping it a string means it runs the same
 * under tsx, vitest and tslab, with no file to locate and nothing for a TypeScript compiler to
 * rewrite.
 *
 * Why a worker thread: the browser's pipes would keep Node's event loop alive, so a script that
 * exported a figure would never exit. The main thread `unref()`s the worker while no export is in
 * flight, so an idle browser never holds the process open; on `beforeExit` the exporter closes it.
 *
 * Protocol (each request has an id, each reply echoes it):
 *   → { id, type: "start", executablePath, args, profileDir, bundlePath, timeoutMs }
 *   ← { id, ok: true, result: { plotlyVersion, userAgent } }
 *   → { id, type: "render", figure, options: { format, width, height, scale } }
 *   ← { id, ok: true, result: Uint8Array }            (the image file's bytes)
 *   → { id, type: "close" }
 *   ← { id, ok: true, result: null }
 *   any failure: { id, ok: false, error: { name, message, stack } }
 */
export const EXPORT_WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");

let context = null;
let page = null;
let profileDir = null;

async function start(m) {
  const { chromium } = require(workerData.playwrightPath);
  profileDir = m.profileDir;
  context = await chromium.launchPersistentContext(m.profileDir, {
    executablePath: m.executablePath,
    headless: true,
    args: m.args,
    timeout: m.timeoutMs,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  context.setDefaultTimeout(m.timeoutMs);
  page = context.pages()[0] || (await context.newPage());
  await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
  // Plotly goes in through the DOM (not HTML parsing), once per browser.
  await page.addScriptTag({ content: fs.readFileSync(m.bundlePath, "utf8") });
  const info = await page.evaluate(() => ({
    plotlyVersion: window.Plotly ? window.Plotly.version : null,
    userAgent: navigator.userAgent,
  }));
  if (!info.plotlyVersion) throw new Error("plotly.js did not load in the page (window.Plotly is missing)");
  return info;
}

function decodeDataUrl(url) {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) throw new Error("Plotly.toImage returned no data URL");
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  const buf = head.endsWith(";base64") ? Buffer.from(body, "base64") : Buffer.from(decodeURIComponent(body), "utf8");
  return new Uint8Array(buf);
}

async function render(m) {
  if (!page) throw new Error("the export browser is not started");
  const url = await page.evaluate(async ({ figure, options }) => {
    return await window.Plotly.toImage(
      { data: figure.data, layout: figure.layout, config: { staticPlot: true } },
      options,
    );
  }, { figure: m.figure, options: m.options });
  return decodeDataUrl(url);
}

async function close() {
  const c = context;
  context = null;
  page = null;
  if (c) await c.close();
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
  return null;
}

parentPort.on("message", async (m) => {
  try {
    let result;
    if (m.type === "start") result = await start(m);
    else if (m.type === "render") result = await render(m);
    else if (m.type === "close") result = await close();
    else throw new Error("unknown request " + m.type);
    if (result instanceof Uint8Array) parentPort.postMessage({ id: m.id, ok: true, result }, [result.buffer]);
    else parentPort.postMessage({ id: m.id, ok: true, result });
  } catch (e) {
    parentPort.postMessage({
      id: m.id,
      ok: false,
      error: { name: (e && e.name) || "Error", message: String((e && e.message) || e), stack: e && e.stack },
    });
  }
});
`;
