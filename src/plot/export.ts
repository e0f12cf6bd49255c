/**
 * Static export of figures (PNG, SVG, JPEG, WebP) through headless Chromium driven by playwright-core.
 *
 *   await saveFigure(heatmap({...}), "fig3-similarity");   // → <figuresDir()>/fig3-similarity.png and .svg
 *   await closeExporter();                                  // optional: also happens on exit
 *
 * One browser serves every export of the process: it starts on the first export (≈3 s: Chromium
 * plus plotly's 4.8 MB bundle, loaded once), and each later figure costs ~0.1–0.3 s. The browser
 * lives in a worker thread that is unref'd while idle, so it never keeps a script from exiting;
 * on `beforeExit` it is closed cleanly, and on `exit` any Chromium it started is killed and its
 * temporary profile removed. Files are written atomically (temp file + rename, same directory).
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { InvalidParameterError } from "../errors";
import { writeFileAtomic } from "../io/atomicWrite";
import { locatePlotlyBundle } from "./bundle";
import { MissingDependencyError } from "../errors";
import { EXPORT_WORKER_SOURCE } from "./exportWorker";
import { envSetting, figuresDir } from "../config";
import { resolveInstalled } from "../resolvePackage";
import { plainFigure } from "./serialize";
import type { Figure } from "./types";

export type ImageFormat = "png" | "svg" | "jpeg" | "webp";
export const IMAGE_FORMATS: readonly ImageFormat[] = ["png", "svg", "jpeg", "webp"];

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface RenderOptions {
  /** CSS pixels; default: layout.width, else 900. */
  width?: number;
  /** CSS pixels; default: layout.height, else 600. */
  height?: number;
  /** Pixel ratio of raster formats (default 2: a 900×600 figure gives a 1800×1200 PNG). */
  scale?: number;
}

export interface SaveFigureOptions extends RenderOptions {
  /** Output directory (default figuresDir(); created if missing). */
  dir?: string;
  /** Formats to write (default ["png", "svg"]). */
  formats?: ImageFormat[];
}

/** Paths written by saveFigure, by format. */
export type SavedFiles = Partial<Record<ImageFormat, string>>;

export interface ExporterStats {
  /** Browsers started by this process (one per session; a session serves many figures). */
  browserLaunches: number;
  /** Images rendered (one per figure and format). */
  imagesRendered: number;
  /** Files written by saveFigure. */
  filesWritten: number;
  /** Whether a browser session is currently open. */
  running: boolean;
}

/** Per-request time limit (start or render). */
const TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface Session {
  worker: Worker;
  profileDir: string;
  pending: Map<number, Pending>;
  nextId: number;
  ready: Promise<void>;
  /** Renders run one after another on the session's single page. */
  queue: Promise<unknown>;
  closing?: Promise<void>;
  dead: boolean;
}

const stats = { browserLaunches: 0, imagesRendered: 0, filesWritten: 0 };
let session: Session | undefined;
let hooksInstalled = false;

/** Counters of this process's exporter (for tests and diagnostics). */
export function exporterStats(): ExporterStats {
  return { ...stats, running: session !== undefined && !session.dead };
}

/** The Chromium binary the exporter uses: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath(): string {
  return envSetting("chromiumPath") ?? DEFAULT_CHROMIUM_PATH;
}

/** Throws MissingDependencyError unless the Chromium binary exists and is executable. */
export function checkChromium(path: string = chromiumPath()): void {
  let ok = false;
  try {
    accessSync(path, constants.X_OK);
    ok = true;
  } catch {
    ok = false;
  }
  if (ok) return;
  const viaEnv = envSetting("chromiumPath") !== undefined;
  throw new MissingDependencyError(
    "chromium",
    `PNG/SVG export needs Chromium, but ${path} ${existsSync(path) ? "is not executable" : "does not exist"}` +
      `${viaEnv ? " (from CHROMIUM_PATH)" : ""}. Install the Debian package \`chromium\`: ` +
      "`apt-get install chromium` (or `bash scripts/setup.sh`), or set CHROMIUM_PATH to a Chromium/Chrome binary.",
    "apt-get install chromium",
  );
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidParameterError("name", `expected a non-empty file name (without extension), got ${JSON.stringify(name)}`);
  }
  if (/[/\\]/.test(name) || name === "." || name === ".." || name.includes("\0")) {
    throw new InvalidParameterError("name", `expected a bare file name without path separators, got ${JSON.stringify(name)} (put the directory in options.dir)`);
  }
}

function checkRender(o: RenderOptions, fig: Figure): Required<RenderOptions> {
  const width = o.width ?? (typeof fig.layout?.width === "number" ? fig.layout.width : 900);
  const height = o.height ?? (typeof fig.layout?.height === "number" ? fig.layout.height : 600);
  const scale = o.scale ?? 2;
  for (const [k, v, max] of [["width", width, 10_000], ["height", height, 10_000], ["scale", scale, 10]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > max) {
      throw new InvalidParameterError(k, `expected a positive number up to ${max}, got ${v}`);
    }
  }
  return { width, height, scale };
}

function checkFigure(fig: Figure): void {
  if (!fig || typeof fig !== "object" || !Array.isArray(fig.data)) {
    throw new InvalidParameterError("fig", "expected a plotly figure { data: [...traces], layout: {...} }");
  }
}

function checkFormats(formats: ImageFormat[]): void {
  if (!Array.isArray(formats) || formats.length === 0) {
    throw new InvalidParameterError("formats", `expected a non-empty list of formats from ${IMAGE_FORMATS.join(", ")}`);
  }
  for (const f of formats) {
    if (!IMAGE_FORMATS.includes(f)) {
      throw new InvalidParameterError("formats", `unknown format ${JSON.stringify(f)}; expected one of ${IMAGE_FORMATS.join(", ")}`);
    }
  }
}

/** Kills (SIGKILL) every process whose command line mentions `profileDir` (Linux /proc; no-op elsewhere). */
function killBrowsersUsing(profileDir: string): void {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(profileDir)) process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone already, or not ours to read
    }
  }
}

const PROFILE_PREFIX = "latent-bridge-chromium-";

/**
 * Removes browser profiles left in the temp dir by processes that were killed by a signal (no exit
 * hook runs then; Chromium itself exits when its pipe closes, but its profile dir stays). A
 * profile is named latent-bridge-chromium-<pid>-XXXXXX; it is stale when that pid is gone.
 */
function removeStaleProfiles(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(PROFILE_PREFIX));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-/.exec(n.slice(PROFILE_PREFIX.length))?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === "EPERM";
    }
    if (!alive) rmSync(join(tmpdir(), n), { recursive: true, force: true });
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // The loop is empty (the idle worker is unref'd): close the browser cleanly, then let Node exit.
  process.on("beforeExit", () => {
    if (session && !session.dead && !session.closing) void closeExporter();
  });
  // process.exit() or the end of the process: no time for a clean close, so kill and clean up.
  process.on("exit", () => {
    const s = session;
    if (!s) return;
    killBrowsersUsing(s.profileDir);
    try {
      rmSync(s.profileDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  });
}

function updateRef(s: Session): void {
  if (s.pending.size > 0) s.worker.ref();
  else s.worker.unref();
}

function request<T>(s: Session, msg: Record<string, unknown>): Promise<T> {
  if (s.dead) return Promise.reject(new Error("the export browser has stopped"));
  const id = s.nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      s.pending.delete(id);
      updateRef(s);
      reject(new Error(`the export browser did not answer a ${String(msg.type)} request within ${TIMEOUT_MS / 1000} s`));
      void killSession(s);
    }, TIMEOUT_MS);
    timer.unref();
    s.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    updateRef(s);
    s.worker.postMessage({ ...msg, id });
  });
}

function failAll(s: Session, e: Error): void {
  for (const p of s.pending.values()) {
    clearTimeout(p.timer);
    p.reject(e);
  }
  s.pending.clear();
}

async function killSession(s: Session): Promise<void> {
  if (s.dead) return;
  s.dead = true;
  if (session === s) session = undefined;
  failAll(s, new Error("the export browser was stopped"));
  killBrowsersUsing(s.profileDir);
  await s.worker.terminate().catch(() => undefined);
  rmSync(s.profileDir, { recursive: true, force: true });
}

function startSession(): Session {
  const executablePath = chromiumPath();
  checkChromium(executablePath);
  const playwright = resolveInstalled("playwright-core");
  if (!playwright.path) {
    throw new MissingDependencyError(
      "playwright-core",
      `PNG/SVG export needs the npm package playwright-core, which is not installed (looked from: ${playwright.tried.join(", ")}); run \`npm ci\` (or \`bash scripts/setup.sh\`)`,
      "npm install playwright-core",
    );
  }
  const bundlePath = locatePlotlyBundle();
  installHooks();
  removeStaleProfiles();
  const profileDir = mkdtempSync(join(tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
  const worker = new Worker(EXPORT_WORKER_SOURCE, { eval: true, workerData: { playwrightPath: playwright.path } });
  const s: Session = {
    worker,
    profileDir,
    pending: new Map(),
    nextId: 1,
    ready: Promise.resolve(),
    queue: Promise.resolve(),
    dead: false,
  };
  worker.on("message", (m: { id: number; ok: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
    const p = s.pending.get(m.id);
    if (!p) return;
    s.pending.delete(m.id);
    clearTimeout(p.timer);
    updateRef(s);
    if (m.ok) p.resolve(m.result);
    else {
      const e = new Error(m.error?.message ?? "export failed");
      e.name = m.error?.name ?? "Error";
      if (m.error?.stack) e.stack = m.error.stack;
      p.reject(e);
    }
  });
  worker.on("error", (e) => {
    failAll(s, e);
    void killSession(s);
  });
  worker.on("exit", () => {
    if (!s.dead) {
      failAll(s, new Error("the export worker exited unexpectedly"));
      s.dead = true;
      if (session === s) session = undefined;
      killBrowsersUsing(profileDir);
      rmSync(profileDir, { recursive: true, force: true });
    }
  });
  stats.browserLaunches++;
  s.ready = request<{ plotlyVersion: string }>(s, {
    type: "start",
    executablePath,
    args: [...CHROMIUM_ARGS],
    profileDir,
    bundlePath,
    timeoutMs: TIMEOUT_MS,
  }).then(
    () => undefined,
    async (e: Error) => {
      await killSession(s);
      throw new Error(`could not start headless Chromium (${executablePath}) for figure export: ${e.message}`);
    },
  );
  return s;
}

async function getSession(): Promise<Session> {
  if (session && session.closing) await session.closing.catch(() => undefined);
  if (!session || session.dead) session = startSession();
  const s = session;
  await s.ready;
  return s;
}

/**
 * Renders a figure to image bytes (PNG/JPEG/WebP binary, SVG as UTF-8 text bytes), starting the
 * shared browser if needed.
 */
export async function renderFigure(fig: Figure, format: ImageFormat = "png", options: RenderOptions = {}): Promise<Uint8Array> {
  checkFigure(fig);
  checkFormats([format]);
  const { width, height, scale } = checkRender(options, fig);
  const figure = plainFigure(fig);
  const s = await getSession();
  const job = s.queue.then(() => request<Uint8Array>(s, { type: "render", figure, options: { format, width, height, scale } }));
  s.queue = job.catch(() => undefined);
  const bytes = await job;
  stats.imagesRendered++;
  return bytes;
}

/**
 * Writes `<dir>/<name>.<format>` for each format (default PNG and SVG) and returns the paths.
 * Everything is rendered before anything is written, and each file is written atomically.
 */
export async function saveFigure(fig: Figure, name: string, options: SaveFigureOptions = {}): Promise<SavedFiles> {
  checkName(name);
  checkFigure(fig);
  const formats = options.formats ?? ["png", "svg"];
  checkFormats(formats);
  const render = checkRender(options, fig);
  const dir = options.dir ?? figuresDir();
  const images: Array<[ImageFormat, Uint8Array]> = [];
  for (const f of formats) images.push([f, await renderFigure(fig, f, render)]);
  const out: SavedFiles = {};
  for (const [f, bytes] of images) {
    const path = join(dir, `${name}.${f}`);
    writeFileAtomic(path, bytes);
    stats.filesWritten++;
    out[f] = path;
  }
  return out;
}

/** Closes the shared browser (if any) and removes its profile; the next export starts a new one. */
export async function closeExporter(): Promise<void> {
  const s = session;
  if (!s || s.dead) return;
  if (!s.closing) {
    s.closing = (async () => {
      try {
        await s.ready.catch(() => undefined);
        await s.queue.catch(() => undefined); // let renders already queued finish
        if (!s.dead) await request(s, { type: "close" }).catch(() => undefined);
      } finally {
        await killSession(s);
      }
    })();
  }
  await s.closing;
}
