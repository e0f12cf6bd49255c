/**
 * What the notebook tests share: the headless runner (the same as `npm run figures`), the check that
 * every saved figure fits a notebook column, Jupyter's signature check, and one quick-mode test per
 * notebook (`quickNotebookTest`). Each notebook has its own test file under test/notebooks/, so that
 * vitest runs two notebooks at once on two cores (each in its own kernel; the caches they share are
 * claimed per entry, so nothing is computed twice) — in one file they ran one after another.
 */
import { afterAll, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NOTEBOOK6_OUTPUT_WIDTH, notebookFigures, openFigurePage, type FigurePage } from "./figureDisplay";
import { parseCsv } from "../src/table/format";

export const REPO = resolve(import.meta.dirname, "..");
const RUNNER = join(REPO, "scripts", "run_notebooks.py");

/**
 * The runner with `args`. Unless `env` names them, figures and run-times.csv go to a fresh temporary
 * folder (a full-mode run — the planted notebooks — would otherwise write its row into the committed
 * figures/) and so does Jupyter's data folder (the signature database the runner signs executed copies
 * into: SQLite, which runners in test files running side by side must not share).
 */
export function runRunner(args: string[], env: Record<string, string> = {}) {
  const own = (variable: string, prefix: string) => (env[variable] === undefined ? { [variable]: mkdtempSync(join(tmpdir(), prefix)) } : {});
  const defaults = { ...own("LATENT_BRIDGE_FIGURES_DIR", "lb-runner-figures-"), ...own("JUPYTER_DATA_DIR", "lb-runner-jupyter-") };
  const r = spawnSync("/usr/bin/python3", [RUNNER, ...args], {
    cwd: REPO, encoding: "utf8", env: { ...process.env, ...defaults, ...env }, timeout: 840_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The notebooks under notebooks/, by name (without .ipynb). */
export function notebookNames(): string[] {
  return readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb")).map((f) => f.slice(0, -6)).sort();
}

// Every figure a notebook saves is drawn, as the notebook shows it, in an output as wide as Jupyter
// Notebook 6's in a 1,280 px window: it must fit (no sideways scrolling, every panel and the modebar inside).
// One browser page per test file, closed after the file's tests.
let figurePage: Promise<FigurePage> | undefined;
afterAll(async () => {
  await (await figurePage?.catch(() => undefined))?.close();
});
export async function expectSavedFiguresToFit(executed: string): Promise<number> {
  const saved = notebookFigures(executed).filter((f) => f.text.includes("(saved to "));
  if (saved.length === 0) return 0;
  figurePage ??= openFigurePage();
  const shown = await (await figurePage).measure(saved.map((f) => f.html), NOTEBOOK6_OUTPUT_WIDTH);
  shown.forEach((s, k) => {
    const what = `${saved[k].text} in a ${NOTEBOOK6_OUTPUT_WIDTH} px output`;
    expect(s.svgWidth, what).toBeLessThanOrEqual(NOTEBOOK6_OUTPUT_WIDTH);
    expect(s.overflow, what).toBe(0);
    expect(s.allInside, what).toBe(true);
  });
  return shown.length;
}

/** Whether Jupyter (with the same data dir) trusts a notebook file: its signature is in the database. */
export function isSigned(path: string, dataDir: string): boolean {
  const r = spawnSync("/usr/bin/python3", ["-c", [
    "import sys, nbformat", "from nbformat.sign import NotebookNotary",
    "print(NotebookNotary().check_signature(nbformat.read(sys.argv[1], as_version=4)))",
  ].join("\n"), path], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: dataDir } });
  expect(r.stderr).toBe("");
  return r.stdout.trim() === "True";
}

/**
 * The quick-mode test of one notebook: it executes every cell, writes at least one figure or table,
 * every figure it saves fits a notebook column, and `extra` checks what it wrote (in `figures`).
 */
export function quickNotebookTest(name: string, extra?: (figures: string) => void): void {
  it(`${name} executes every cell in quick mode; its saved figures fit a notebook column`, async () => {
    const figures = mkdtempSync(join(tmpdir(), "lb-figures-"));
    const r = runRunner(["--quick", "--out-dir", join(figures, "executed"), name], { LATENT_BRIDGE_FIGURES_DIR: figures, JUPYTER_DATA_DIR: join(figures, "jupyter-data") });
    expect(r.stderr + r.stdout).toContain(`${name} ... ok`);
    expect(r.status).toBe(0);
    expect(readdirSync(figures).filter((f) => /\.(png|svg|csv|md)$/.test(f) && f !== "run-times.csv").length).toBeGreaterThan(0);
    const pngs = readdirSync(figures).filter((f) => f.endsWith(".png")).length;
    expect(await expectSavedFiguresToFit(join(figures, "executed", `${name}.ipynb`))).toBe(pngs);
    extra?.(figures);
  }, 900_000);
}

/** Table 2's per-transformer table: one row per trained transformer, its probe the non-stitch mean of the stitching rows, each kind's own measure. */
export function expectTransformerEncoderTable(figures: string): void {
  const records = (file: string) => {
    const [header, ...rows] = parseCsv(readFileSync(join(figures, file), "utf8"));
    return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  };
  const encoders = records("table2-transformer-encoders.csv"), stitching = records("table2-transformers-stitching-rows.csv");
  expect(new Set(encoders.map((r) => r.dataset))).toEqual(new Set(["fashion-mnist", "emoji", "wordnet", "debian"]));
  for (const r of encoders) {
    const own = stitching.filter((s) => s.dataset === r.dataset && s.method === "non-stitch" && s.source === r.encoder).map((s) => Number(s.accuracy));
    expect(own.length, r.encoder).toBeGreaterThan(0);
    expect(Number(r.linearProbeAccuracy)).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 4);
    expect(Number(r.trainingMinutes)).toBeGreaterThan(0);
    const vit = r.encoder.startsWith("vit-");
    // A ViT has its own head's accuracy and no masked-token numbers; a text transformer the reverse.
    expect(Number.isNaN(Number(r.ownHeadTestAccuracy))).toBe(!vit);
    expect(Number.isNaN(Number(r.maskedTokenAccuracy))).toBe(vit);
    if (vit) expect(Number(r.ownHeadTestAccuracy)).toBeGreaterThan(3 * Number(r.chance));
    else expect(Number(r.maskedFrequencyBaseline)).toBeGreaterThan(0);
  }
}
