/**
 * The quickstart as a user meets it: `npm run jupyter -- --quick` (scripts/jupyter.sh) serving a
 * temporary copy of notebooks/00-quickstart.ipynb, opened in headless Chromium (playwright-core),
 * every cell run from the browser (Cell > Run All). Checks what the reader sees — no error output,
 * interactive plotly plots that fit the notebook column, HTML tables — that opening the notebook does
 * not mark it modified, that a save strips back to the committed file, and that the tracked notebook
 * on disk never changes. The server (and its kernel) and the browser are stopped also on failure.
 * Needs the Debian Jupyter packages and Chromium (bash scripts/setup.sh); ~30 s.
 */
import { describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../src/plot/export";
import { NOTEBOOK6_OUTPUT_WIDTH } from "./figureDisplay";

const REPO = resolve(import.meta.dirname, "..");
const TRACKED = join(REPO, "notebooks", "00-quickstart.ipynb");
const hasJupyter = spawnSync("/usr/bin/python3", ["-c", "import notebook, nbformat"]).status === 0 && existsSync(join(REPO, "node_modules", "tslab"));
const hasChromium = existsSync(chromiumPath());

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops the server: shuts its kernels down through the REST API, then SIGTERM (SIGKILL after 10 s) to its process group. */
async function stopServer(server: ChildProcess, base: string, token: string): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  try {
    const kernels = (await (await fetch(`${base}/api/kernels?token=${token}`)).json()) as Array<{ id: string }>;
    for (const k of kernels) await fetch(`${base}/api/kernels/${k.id}?token=${token}`, { method: "DELETE" });
  } catch {
    // the server may not be up; the signals below still stop it
  }
  const exited = new Promise<void>((r) => server.once("exit", () => r()));
  const group = -server.pid!;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

// In-page probes, as source text (see figureDisplay.ts: no bundler helpers inside page.evaluate).
const KERNEL_READY = "(() => { const nb = window.Jupyter && Jupyter.notebook; return !!(nb && nb._fully_loaded && nb.kernel && nb.kernel.info_reply && nb.kernel.info_reply.language_info); })()";
const RUN_ALL = `(() => {
  const nb = Jupyter.notebook;
  window.__lbFinished = 0;
  nb.events.on("finished_execute.CodeCell", () => { window.__lbFinished += 1; });
  nb.execute_all_cells();
  return nb.get_cells().filter((c) => c.cell_type === "code").length;
})()`;
const PROGRESS = `(() => ({
  finished: window.__lbFinished,
  busy: Jupyter.notebook.kernel_busy,
  errors: document.querySelectorAll(".output_error").length + document.querySelectorAll(".output_stderr").length,
}))()`;
const SEEN = `(() => {
  const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent).join("\\n");
  const plots = [...document.querySelectorAll(".js-plotly-plot")].map((p) => {
    const sub = p.closest(".output_subarea");
    const style = getComputedStyle(sub);
    const content = sub.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const svg = p.querySelector(".main-svg");
    const box = sub.getBoundingClientRect();
    const inside = (el) => { const r = el.getBoundingClientRect(); return r.left >= box.left - 1 && r.right <= box.right + 1; };
    const full = p._fullLayout || {};
    return {
      title: (p.querySelector(".gtitle") || {}).textContent || "",
      outputWidth: Math.round(content),
      svgWidth: svg ? Math.round(svg.getBoundingClientRect().width) : -1,
      scrolls: sub.scrollWidth > sub.clientWidth,
      allInside: [...p.querySelectorAll(".cartesianlayer .subplot")].every(inside) && [...p.querySelectorAll(".modebar")].every(inside),
      columns: new Set(Object.keys(full).filter((k) => /^xaxis\\d*$/.test(k)).map((k) => full[k].domain[0])).size,
    };
  });
  return {
    errorOutputs: document.querySelectorAll(".output_error").length,
    stderr: text(".output_stderr"),
    firstStdout: (document.querySelector(".code_cell .output_stdout") || {}).textContent || "",
    tables: document.querySelectorAll(".output_html table").length,
    pngFallbacks: document.querySelectorAll(".latent-bridge-figure img").length,
    plots,
    trusted: Jupyter.notebook.trusted,
    dirty: Jupyter.notebook.dirty,
  };
})()`;

type Seen = {
  errorOutputs: number; stderr: string; firstStdout: string; tables: number; pngFallbacks: number; trusted: boolean; dirty: boolean;
  plots: Array<{ title: string; outputWidth: number; svgWidth: number; scrolls: boolean; allInside: boolean; columns: number }>;
};

describe.skipIf(!hasJupyter || !hasChromium)("the quickstart in Jupyter Notebook, driven in headless Chromium", () => {
  it("opens unmodified, runs every cell from the browser without errors, shows plots that fit and HTML tables, and never changes the tracked file", async () => {
    const trackedBefore = readFileSync(TRACKED);
    const dir = mkdtempSync(join(tmpdir(), "lb-jupyter-browser-"));
    const nbDir = join(dir, "notebooks");
    mkdirSync(nbDir);
    const copy = join(nbDir, "00-quickstart.ipynb");
    copyFileSync(TRACKED, copy);
    const figures = join(dir, "figures");
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    const base = `http://127.0.0.1:${port}`;
    let log = "";
    const server = spawn("bash", [join(REPO, "scripts", "jupyter.sh"), "--quick", `--port=${port}`, "--port-retries=0", `--notebook-dir=${nbDir}`, `--NotebookApp.token=${token}`], {
      cwd: REPO,
      detached: true, // its own process group, stopped as a whole
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // Jupyter's state (signatures, runtime files, config) and the figures stay in the temporary folder.
        JUPYTER_DATA_DIR: join(dir, "jupyter-data"), JUPYTER_CONFIG_DIR: join(dir, "jupyter-config"),
        LATENT_BRIDGE_FIGURES_DIR: figures, LATENT_BRIDGE_QUICK: "0", LATENT_BRIDGE_PROGRESS: "0",
      },
    });
    server.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    let context: BrowserContext | undefined;
    const profile = mkdtempSync(join(tmpdir(), "lb-jupyter-browser-profile-"));
    try {
      await until("Jupyter to start", 60_000, () => {
        if (server.exitCode !== null) throw new Error(`jupyter.sh exited with ${server.exitCode}:\n${log}`);
        return log.includes(`${base}/`) ? true : undefined;
      });
      expect(log).toContain("jupyter.sh: quick mode");
      expect(log).toContain(`Serving notebooks from local directory: ${nbDir}`);

      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS], viewport: { width: 1280, height: 900 },
      });
      const page: Page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${base}/notebooks/00-quickstart.ipynb?token=${token}`);
      await page.waitForFunction(KERNEL_READY, null, { timeout: 120_000 });
      await page.waitForTimeout(500);
      expect((await page.evaluate(SEEN) as Seen).dirty).toBe(false); // opening it changed nothing

      const codeCells = (await page.evaluate(RUN_ALL)) as number;
      expect(codeCells).toBeGreaterThanOrEqual(5);
      // Until every cell has finished, or an error showed and the kernel went idle (tslab then skips the rest).
      let idleWithErrorsSince = 0;
      await until("every cell to finish", 240_000, async () => {
        const p = (await page.evaluate(PROGRESS)) as { finished: number; busy: boolean; errors: number };
        if (p.finished >= codeCells) return true;
        if (p.errors > 0 && !p.busy) {
          idleWithErrorsSince ||= Date.now();
          if (Date.now() - idleWithErrorsSince > 5000) return true;
        } else idleWithErrorsSince = 0;
        return undefined;
      });
      // Plots are drawn by their output's script once plotly's bundle has loaded.
      await page.waitForFunction("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", null, { timeout: 30_000 }).catch(() => undefined);
      const seen = (await page.evaluate(SEEN)) as Seen;

      expect(seen.stderr).toBe("");
      expect(seen.errorOutputs).toBe(0);
      expect(seen.firstStdout).toContain("quick mode"); // --quick reached the kernel
      expect(seen.tables).toBeGreaterThanOrEqual(2);
      expect(seen.plots.map((p) => p.title)).toEqual(["Relative projection and its inverse", "Anchor pruning on the 32-d → 48-d pair"]);
      expect(seen.pngFallbacks).toBe(0); // each PNG gave way to its interactive plot
      for (const p of seen.plots) {
        expect(Math.abs(p.outputWidth - NOTEBOOK6_OUTPUT_WIDTH), `${p.title}: output width ${p.outputWidth}`).toBeLessThanOrEqual(10);
        expect(p.svgWidth, p.title).toBeLessThanOrEqual(p.outputWidth);
        expect(p.scrolls, p.title).toBe(false);
        expect(p.allInside, p.title).toBe(true);
      }
      expect(seen.plots[0].columns).toBe(2); // Fig. 1's four panels wrapped into 2 × 2
      expect(readdirSync(figures).sort()).toEqual([
        "fig1-relative-projection.csv", "fig1-relative-projection.md", "fig1-relative-projection.png", "fig1-relative-projection.svg",
        "quickstart-methods.csv", "quickstart-methods.md", "quickstart-pruning.png", "quickstart-pruning.svg",
      ]);

      // Saving writes the outputs into the (copied) notebook; stripped, it is the committed file again.
      await page.evaluate("Jupyter.notebook.save_notebook()");
      await until("the save", 30_000, () => (readFileSync(copy).length > trackedBefore.length + 1_000_000 ? true : undefined));
      // Outputs made in the session are trusted, so the saved notebook is signed: it reopens with live plots.
      expect(await page.evaluate("Jupyter.notebook.trusted")).toBe(true);
      const stripped = spawnSync("/usr/bin/python3", [join(REPO, "scripts", "strip_notebook_outputs.py")], { input: readFileSync(copy) });
      expect(stripped.status, stripped.stderr?.toString()).toBe(0);
      expect(stripped.stdout.equals(trackedBefore)).toBe(true);
    } finally {
      await context?.close().catch(() => undefined);
      await stopServer(server, base, token);
      rmSync(profile, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(readFileSync(TRACKED).equals(trackedBefore)).toBe(true);
  }, 360_000);
});
