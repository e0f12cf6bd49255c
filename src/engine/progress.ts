/**
 * Progress reporting for long loops (encoding, training, sensitivity grids) that stays one line:
 *
 *   const bar = progress({ total: 200, label: "embed" });
 *   for (...) { ...; bar.tick(); }
 *   bar.done();
 *
 *   for await (const batch of withProgress(batches, { label: "train" })) { ... }
 *
 * Where the line goes (`mode: "auto"`):
 *   - in a tslab (Jupyter) kernel: one display output that is replaced in place through Jupyter's
 *     `update_display_data` (tslab's `newDisplay()`), at most ~3 updates a second and never two in
 *     one turn of the event loop (see `showNotebook`); nbclient/nbconvert apply the updates too, so
 *     an executed notebook stores only the final line;
 *   - in a terminal (stream is a TTY): one line rewritten with "\r", at most ~10 times a second;
 *   - otherwise (CI logs, files, pipes): a new line at every 10 % step or every 30 s, whichever comes
 *     first — a handful of lines, never one per tick — and always a final line.
 * `LATENT_BRIDGE_PROGRESS=0` (or off/false/no) silences every bar; `LATENT_BRIDGE_PROGRESS=log`
 * forces the line-per-step mode (useful in notebooks executed for logs).
 *
 * Lines look like `embed 50/200 25% 10.0/s ETA 15s`, and when finished `embed 200/200 100% 10.0/s 20s`.
 */
import { envSetting } from "../config";
import { InvalidParameterError } from "../errors";
import { inTslabKernel, tslabModule, type TslabDisplay } from "./notebook";

export { inTslabKernel };

export type ProgressMode = "auto" | "notebook" | "tty" | "log" | "silent";

/** Where text output goes; `process.stderr` by default. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Number of items expected; unknown totals show count, rate and elapsed time only. */
  total?: number;
  label?: string;
  /** Defaults to "auto" (see the module comment); env `LATENT_BRIDGE_PROGRESS` overrides. */
  mode?: ProgressMode;
  /** Defaults to `process.stderr`. */
  stream?: ProgressStream;
  /** Minimum time between in-place redraws (TTY default 0.1 s, notebook 0.3 s). */
  minIntervalSeconds?: number;
  /** Line mode: print at least every this many percent (default 10). */
  logEveryPercent?: number;
  /** Line mode: print at least every this many seconds (default 30). */
  logEverySeconds?: number;
  /** Clock in seconds; for tests. Defaults to `performance.now() / 1000`. */
  now?: () => number;
  /** Notebook mode's display factory; for tests. Defaults to tslab's `newDisplay` inside a tslab kernel. */
  newDisplay?: () => TslabDisplay;
}

export interface Progress {
  /** Adds `n` (default 1) finished items. */
  tick(n?: number): void;
  /** Sets the finished count directly. */
  update(count: number): void;
  /** Ends the bar and prints its final line (idempotent). */
  done(): void;
  readonly count: number;
  readonly total: number | undefined;
  /** The mode actually used ("auto" resolved). */
  readonly mode: Exclude<ProgressMode, "auto">;
}

export interface ProgressState {
  label?: string;
  count: number;
  total?: number;
  elapsedSeconds: number;
  /** Finished: show the elapsed time instead of the ETA. */
  done?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Pure formatting.

/** "15s", "2m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** "0.25/s", "10.0/s", "1234/s". */
export function formatRate(itemsPerSecond: number): string {
  if (!Number.isFinite(itemsPerSecond) || itemsPerSecond < 0) return "?/s";
  if (itemsPerSecond >= 100) return `${Math.round(itemsPerSecond)}/s`;
  if (itemsPerSecond >= 1) return `${itemsPerSecond.toFixed(1)}/s`;
  return `${itemsPerSecond.toPrecision(2)}/s`;
}

/**
 * One progress line, e.g. `embed 50/200 25% 10.0/s ETA 15s` (running), `embed 200/200 100% 10.0/s 20s`
 * (done), `scan 50 10.0/s 5s` (unknown total). The rate is the average since the start.
 */
export function formatProgress(state: ProgressState): string {
  const { label, count, total, elapsedSeconds, done = false } = state;
  const parts: string[] = [];
  if (label) parts.push(label);
  const known = total !== undefined && Number.isFinite(total) && total > 0;
  if (known) {
    parts.push(`${count}/${total}`);
    parts.push(`${Math.floor((100 * Math.min(count, total)) / total)}%`);
  } else {
    parts.push(String(count));
  }
  const rate = elapsedSeconds > 0 ? count / elapsedSeconds : NaN;
  parts.push(count > 0 && elapsedSeconds > 0 ? formatRate(rate) : "?/s");
  if (done || !known) {
    parts.push(formatDuration(elapsedSeconds));
  } else {
    parts.push(`ETA ${count > 0 && rate > 0 ? formatDuration(Math.max(0, total - count) / rate) : "?"}`);
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Environment.

/** tslab's `newDisplay()` when running inside its kernel (lazily, never loads tslab elsewhere). */
function tslabNewDisplay(): (() => TslabDisplay) | undefined {
  const tslab = tslabModule();
  return tslab === undefined ? undefined : () => tslab.newDisplay();
}

function envMode(): Exclude<ProgressMode, "auto"> | undefined {
  const v = envSetting("progress")?.trim().toLowerCase();
  if (v === undefined || v === "" || v === "1" || v === "on" || v === "true" || v === "yes" || v === "auto") return undefined;
  if (v === "0" || v === "off" || v === "false" || v === "no" || v === "silent") return "silent";
  if (v === "log" || v === "tty" || v === "notebook") return v;
  return undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * The `progress` option of long-running functions: true / undefined → "auto", false → "silent", or a
 * mode given as is. @throws InvalidParameterError for anything else.
 */
export function resolveProgressMode(p: boolean | ProgressMode | undefined, name = "progress"): ProgressMode {
  if (p === false) return "silent";
  if (p === true || p === undefined) return "auto";
  if (p === "auto" || p === "silent" || p === "log" || p === "tty" || p === "notebook") return p;
  throw new InvalidParameterError(name, `expected true, false or one of "auto", "silent", "log", "tty", "notebook", got ${String(p)}`);
}

// ---------------------------------------------------------------------------------------------
// The bar.

const defaultNow = (): number => performance.now() / 1000;

export function progress(options: ProgressOptions = {}): Progress {
  const { total, label } = options;
  if (total !== undefined && (!Number.isFinite(total) || total < 0)) {
    throw new InvalidParameterError("total", `expected a non-negative number of items, got ${total}`);
  }
  const now = options.now ?? defaultNow;
  const stream: ProgressStream = options.stream ?? process.stderr;
  const logEveryPercent = options.logEveryPercent ?? 10;
  const logEverySeconds = options.logEverySeconds ?? 30;
  if (!(logEveryPercent > 0)) throw new InvalidParameterError("logEveryPercent", `expected a positive number, got ${logEveryPercent}`);
  if (!(logEverySeconds > 0)) throw new InvalidParameterError("logEverySeconds", `expected a positive number, got ${logEverySeconds}`);

  let newDisplay: (() => TslabDisplay) | undefined;
  let mode: Exclude<ProgressMode, "auto"> | undefined = envMode();
  if (mode === undefined && options.mode !== undefined && options.mode !== "auto") mode = options.mode;
  if (mode === "notebook" || mode === undefined) {
    newDisplay = options.newDisplay ?? tslabNewDisplay();
    if (newDisplay !== undefined) mode = "notebook";
    else if (mode === "notebook") mode = "log";
  }
  if (mode === undefined) mode = stream.isTTY ? "tty" : "log";
  const resolvedMode = mode;
  const minInterval = options.minIntervalSeconds ?? (resolvedMode === "notebook" ? 0.3 : 0.1);

  const start = now();
  let count = 0;
  let finished = false;
  let lastDraw = -Infinity;
  let lastLogTime = start;
  let lastLogStep = 0; // index of the last percent step printed (line mode)
  let lastWidth = 0;
  let display: TslabDisplay | undefined;
  let displayFailed = false;
  let sendPending = false;
  let deferredFinal: string | undefined;

  const line = (isDone: boolean): string =>
    formatProgress({ label, count, total, elapsedSeconds: now() - start, done: isDone });

  /*
   * tslab sends every display update on its ZeroMQ iopub socket asynchronously, and the socket
   * takes one send at a time: a second update before the event loop has run fails the *cell*, with
   * an empty error message (measured: 5,000 updates 2 ms apart, yielding every 20, fail the cell;
   * one update per event-loop turn passes). Training loops run synchronously for seconds between
   * yields, so an update is only sent when the previous one has had a turn of the loop; a final
   * line that finds one pending is sent on the next turn.
   */
  function showNotebook(text: string, isDone: boolean): void {
    if (displayFailed || newDisplay === undefined) return;
    if (sendPending) {
      if (isDone) deferredFinal = text;
      return;
    }
    try {
      display ??= newDisplay();
      const pct = total !== undefined && total > 0 ? Math.min(count, total) : undefined;
      const bar = pct !== undefined ? `<progress value="${pct}" max="${total}" style="width:16em;vertical-align:middle"></progress> ` : "";
      display.html(`<div style="font-family:monospace;white-space:pre">${bar}${escapeHtml(text)}</div>`);
      sendPending = true;
      setImmediate(() => {
        sendPending = false;
        const last = deferredFinal;
        deferredFinal = undefined;
        if (last !== undefined) showNotebook(last, true);
      });
    } catch {
      // e.g. tslab "Not ready" outside a cell execution: fall back to plain lines.
      displayFailed = true;
      stream.write(text + "\n");
    }
  }

  function draw(force: boolean, isDone: boolean): void {
    const t = now();
    switch (resolvedMode) {
      case "silent":
        return;
      case "tty": {
        if (!force && t - lastDraw < minInterval) return;
        lastDraw = t;
        let text = line(isDone);
        const cols = stream.columns;
        if (cols !== undefined && cols > 1 && text.length > cols - 1) text = text.slice(0, cols - 1);
        const pad = lastWidth > text.length ? " ".repeat(lastWidth - text.length) : "";
        lastWidth = text.length;
        stream.write(`\r${text}${pad}${isDone ? "\n" : ""}`);
        return;
      }
      case "notebook": {
        if (!force && t - lastDraw < minInterval) return;
        lastDraw = t;
        showNotebook(line(isDone), isDone);
        return;
      }
      case "log": {
        if (!force) {
          const known = total !== undefined && total > 0;
          const step = known ? Math.floor((100 * Math.min(count, total)) / total / logEveryPercent) : 0;
          const byStep = known && step > lastLogStep;
          const byTime = t - lastLogTime >= logEverySeconds;
          if (!byStep && !byTime) return;
          if (known) lastLogStep = Math.max(lastLogStep, step);
          // A line at 100 % is left to done(), so a finished loop prints it once.
          if (known && count >= total && !byTime) return;
        }
        lastLogTime = t;
        stream.write(line(isDone) + "\n");
        return;
      }
    }
  }

  const bar: Progress = {
    tick(n = 1) {
      if (finished) return;
      if (!Number.isFinite(n)) throw new InvalidParameterError("n", `expected a finite number of items, got ${n}`);
      count += n;
      draw(false, false);
    },
    update(c: number) {
      if (finished) return;
      if (!Number.isFinite(c)) throw new InvalidParameterError("count", `expected a finite number, got ${c}`);
      count = c;
      draw(false, false);
    },
    done() {
      if (finished) return;
      finished = true;
      draw(true, true);
    },
    get count() {
      return count;
    },
    get total() {
      return total;
    },
    get mode() {
      return resolvedMode;
    },
  };
  return bar;
}

// ---------------------------------------------------------------------------------------------
// Iteration helpers.

export interface WithProgressOptions extends Omit<ProgressOptions, "total"> {
  /** Defaults to `length` (arrays, typed arrays) or `size` (Set, Map) when the iterable has one. */
  total?: number;
}

function inferTotal(it: unknown): number | undefined {
  if (it === null || typeof it !== "object") return typeof it === "string" ? it.length : undefined;
  const o = it as { length?: unknown; size?: unknown };
  if (typeof o.length === "number") return o.length;
  if (typeof o.size === "number") return o.size;
  return undefined;
}

function isAsyncIterable<T>(it: Iterable<T> | AsyncIterable<T>): it is AsyncIterable<T> {
  return typeof (it as AsyncIterable<T>)[Symbol.asyncIterator] === "function";
}

/**
 * Wraps an iterable so that each item taken ticks a progress bar; the bar ends (done) when the
 * iteration ends, including by `break` or an exception.
 *
 *   for (const x of withProgress(items, { label: "embed" })) ...
 *   for await (const batch of withProgress(stream, { label: "train", total: nBatches })) ...
 */
export function withProgress<T>(iterable: Iterable<T>, options?: WithProgressOptions): Iterable<T>;
export function withProgress<T>(iterable: AsyncIterable<T>, options?: WithProgressOptions): AsyncIterable<T>;
export function withProgress<T>(
  iterable: Iterable<T> | AsyncIterable<T>, options: WithProgressOptions = {},
): Iterable<T> | AsyncIterable<T> {
  const total = options.total ?? inferTotal(iterable);
  if (isAsyncIterable(iterable)) {
    return (async function* () {
      const bar = progress({ ...options, total });
      try {
        for await (const item of iterable) {
          yield item;
          bar.tick();
        }
      } finally {
        bar.done();
      }
    })();
  }
  return (function* () {
    const bar = progress({ ...options, total });
    try {
      for (const item of iterable) {
        yield item;
        bar.tick();
      }
    } finally {
      bar.done();
    }
  })();
}
