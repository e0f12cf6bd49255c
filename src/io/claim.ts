/**
 * Claiming a cache entry across processes, so that two notebooks (or any two processes) sharing a
 * cache folder compute an entry at most once: `computeOnce(entry, { read, compute })`.
 *
 * The claim is a lock file beside the entry, `<entry>.lock`, created with O_CREAT | O_EXCL
 * (`openSync(…, "wx")`: exactly one process succeeds) and holding who claimed it — pid, host name,
 * start time and a random token — as JSON. The process that holds it computes and writes the entry
 * (atomically: `writeFileAtomic`), then removes the lock in a `finally`, on error too, and in an
 * `exit` handler if the process exits while computing. A process that finds the lock waits, polling
 * with a growing interval and saying what it waits for, until the lock is gone, then reads the entry;
 * if the holder failed (no entry), the waiter claims it and computes it itself.
 *
 * A lock is stale, and taken over with a message, when its process is gone (same host, pid no
 * longer alive — a killed run), when it was left by an earlier process with our own pid, when it
 * is unreadable and older than a few seconds (a crash between create and write), or when it has not
 * been refreshed for `staleMs` (the holder touches it every `heartbeatMs`; this is the only test a
 * lock from another host can get). Taking over is itself guarded by `<entry>.lock.takeover` (also
 * O_EXCL), so two waiters never both remove a lock and both compute. A wait longer than `timeoutMs`
 * (default: $LATENT_BRIDGE_LOCK_TIMEOUT seconds, else 3 hours) throws a LockTimeoutError naming the
 * entry and the holder.
 *
 * Within one process, callers serialise requests per entry first (`oneAtATime` in data/loadOrFit.ts):
 * a process never waits for itself.
 *
 * A caller with other work to do can ask not to wait: inside `deferringClaimed(work)`, a
 * `computeOnce` that finds its entry claimed by another live process throws `ClaimedElsewhere`
 * instead of waiting, so the caller can do something else first and come back later (the
 * experiments' encoder loops do this: experiments/shareClaims.ts). Compute steps always run
 * without it — a claim this process holds is never given up half computed.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { AsyncLocalStorage } from "node:async_hooks";
import { FileSystemError, LockTimeoutError } from "../errors";
import { envSetting } from "../config";
import { fileSystemReason, processExists } from "./atomicWrite";

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the claim was made (ISO 8601). */
  started: string;
  /** Random: tells this claim from any other, e.g. one by a later process that reused the pid. */
  token: string;
  /** What is being computed, in messages ("embeddings", "image encoder"…). */
  what?: string;
}

export interface ClaimOptions {
  /** What the entry is, in messages ("embeddings", "head"…). Default "cache entry". */
  what?: string;
  /** Longest wait for another process's claim, in ms. Default $LATENT_BRIDGE_LOCK_TIMEOUT (seconds), else 3 h. */
  timeoutMs?: number;
  /** A lock not refreshed for this long (ms) is stale whoever holds it. Default 1 h. */
  staleMs?: number;
  /** The holder refreshes its lock's time this often (ms). Default min(30 s, staleMs / 4). */
  heartbeatMs?: number;
  /** First polling interval (ms); it grows ×1.5 up to `maxPollMs`. Default 50. */
  pollMs?: number;
  /** Longest polling interval (ms). Default 2,000. */
  maxPollMs?: number;
  /** How often a waiter says it is still waiting (ms). Default 60,000. */
  reportEveryMs?: number;
  /** Where messages go. Default console.warn (stderr). */
  log?: (message: string) => void;
}

export interface ComputeOnceSteps<T> {
  /** The entry if it is there and usable, else undefined. Called before claiming, after claiming and after each wait. */
  read: () => T | undefined | Promise<T | undefined>;
  /** Computes the entry and writes it (atomically); runs only while this process holds the claim. */
  compute: () => Promise<T>;
}

const DEFAULT_TIMEOUT_MS = 3 * 3600_000;
const DEFAULT_STALE_MS = 3600_000;
/** An unreadable lock younger than this is being written (create and write are two calls). */
const UNREADABLE_GRACE_MS = 5_000;
/** A takeover guard older than this was left by a process killed while taking over. */
const TAKEOVER_GRACE_MS = 10_000;

/** The lock file of `entry`. */
export function lockPathOf(entry: string): string {
  return `${entry}.lock`;
}

/**
 * Whether another process holds a live claim on `entry` now: its lock exists and is not stale (a
 * lock left by a killed run is not a claim — `computeOnce` would take it over).
 */
export function isClaimedElsewhere(entry: string): boolean {
  const state = lockState(lockPathOf(entry));
  if (state === undefined) return false;
  if (state.holder !== undefined && state.holder.hostname === hostname() && state.holder.pid === process.pid) return false;
  return staleReason(state) === undefined;
}

/**
 * The signal `computeOnce` throws, inside `deferringClaimed`, when another live process holds the
 * entry's claim: "do something else first". Not an error of the user's; it escapes only a caller
 * that asked for it.
 */
export class ClaimedElsewhere extends Error {
  readonly entry: string;
  readonly holder: LockHolder | undefined;
  constructor(entry: string, holder: LockHolder | undefined) {
    super(`${entry} is being computed by ${describeHolder(holder)}; deferred (deferringClaimed) instead of waiting for it`);
    this.name = "ClaimedElsewhere";
    this.entry = entry;
    this.holder = holder;
  }
}

/** Whether `computeOnce` in the current async context throws ClaimedElsewhere rather than waiting. */
const deferring = new AsyncLocalStorage<boolean>();

/**
 * Runs `work`, in which a `computeOnce` whose entry another live process is computing throws
 * `ClaimedElsewhere` instead of waiting for it (entries already there are read as usual; stale locks
 * are taken over as usual). Whatever `work` computed before the signal stays in the cache.
 */
export function deferringClaimed<T>(work: () => Promise<T>): Promise<T> {
  return deferring.run(true, work);
}

/** Tokens of the claims this process holds, with their lock files (removed on exit). */
const held = new Map<string, string>();
let exitHandlerInstalled = false;

function removeHeldLocksOnExit(): void {
  for (const [token, lock] of held) releaseLock(lock, token);
}

/** The wait limit: options, else $LATENT_BRIDGE_LOCK_TIMEOUT (seconds), else 3 h. */
export function lockTimeoutMs(options: ClaimOptions = {}): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const env = envSetting("lockTimeout");
  if (env !== undefined) {
    const s = Number(env);
    if (Number.isFinite(s) && s > 0) return s * 1000;
    (options.log ?? console.warn)(`cache lock: ignoring LATENT_BRIDGE_LOCK_TIMEOUT=${JSON.stringify(env)} (expected seconds > 0); waiting up to 3 h`);
  }
  return DEFAULT_TIMEOUT_MS;
}

/**
 * `read()`'s entry; if there is none, the entry computed by exactly one of the processes asking for
 * it: this one (`compute()`, while holding `<entry>.lock`) or another one (then read after it finished).
 * @throws LockTimeoutError naming the entry when another process holds it longer than the timeout.
 */
export async function computeOnce<T>(entry: string, steps: ComputeOnceSteps<T>, options: ClaimOptions = {}): Promise<T> {
  const first = await steps.read();
  if (first !== undefined) return first;
  const lock = lockPathOf(entry);
  const deadline = Date.now() + lockTimeoutMs(options);
  for (;;) {
    const token = tryClaim(lock, options.what);
    if (token !== undefined) {
      const beat = startHeartbeat(lock, token, options);
      try {
        const done = await steps.read(); // another process may have finished between our read and our claim
        if (done !== undefined) return done;
        // Nested claims inside the computation wait: giving up this claim half computed would waste it.
        return await deferring.run(false, () => steps.compute());
      } finally {
        clearInterval(beat);
        releaseLock(lock, token);
      }
    }
    if (deferring.getStore() === true && isClaimedElsewhere(entry)) throw new ClaimedElsewhere(entry, lockState(lock)?.holder);
    await waitForRelease(entry, lock, deadline, options);
    const after = await steps.read();
    if (after !== undefined) return after;
    // The holder stopped without writing the entry (it failed, or was killed): claim it ourselves.
  }
}

/** Creates the lock (O_EXCL); its token, or undefined when the lock exists already. */
function tryClaim(lock: string, what: string | undefined): string | undefined {
  const holder: LockHolder = {
    pid: process.pid, hostname: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString("hex"),
    ...(what !== undefined ? { what } : {}),
  };
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return undefined;
    if (code === "ENOENT") {
      // The entry's folder does not exist yet (a first entry of its kind): create it, then claim.
      try {
        mkdirSync(dirname(lock), { recursive: true });
      } catch (err) {
        throw new FileSystemError(lock, `cannot create its directory: ${fileSystemReason(err)}`, (err as NodeJS.ErrnoException).code);
      }
      return tryClaim(lock, what);
    }
    if (typeof code === "string") throw new FileSystemError(lock, `cannot create the lock file: ${fileSystemReason(e)}`, code);
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(holder) + "\n");
  } finally {
    closeSync(fd);
  }
  held.set(holder.token, lock);
  if (!exitHandlerInstalled) {
    process.on("exit", removeHeldLocksOnExit);
    exitHandlerInstalled = true;
  }
  return holder.token;
}

function startHeartbeat(lock: string, token: string, options: ClaimOptions): ReturnType<typeof setInterval> {
  const every = options.heartbeatMs ?? Math.min(30_000, (options.staleMs ?? DEFAULT_STALE_MS) / 4);
  const beat = setInterval(() => {
    try {
      const now = new Date();
      if (readHolder(lock)?.token === token) utimesSync(lock, now, now);
    } catch {
      // the lock was taken over as stale; nothing to refresh
    }
  }, every);
  beat.unref();
  return beat;
}

/** Removes the lock if it is still ours (a lock taken over as stale belongs to someone else now). */
function releaseLock(lock: string, token: string): void {
  held.delete(token);
  try {
    if (readHolder(lock)?.token === token) unlinkSync(lock);
  } catch {
    // already gone
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The lock's holder, or undefined when the file is unreadable or not a lock. @throws ENOENT when absent. */
function readHolder(lock: string): LockHolder | undefined {
  const text = readFileSync(lock, "utf8");
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === "number" && typeof h.token === "string" && typeof h.hostname === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

interface LockState {
  /** The file's text: what a takeover compares, so it removes only the lock it judged stale. */
  text: string;
  holder: LockHolder | undefined;
  ageMs: number;
}

/** The lock as it is now, or undefined when there is none. */
function lockState(lock: string): LockState | undefined {
  try {
    const text = readFileSync(lock, "utf8");
    const ageMs = Date.now() - statSync(lock).mtimeMs;
    return { text, holder: readHolder(lock), ageMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Why the lock is stale, or undefined when its holder may still be computing. */
function staleReason(state: LockState, staleMs = DEFAULT_STALE_MS): string | undefined {
  const h = state.holder;
  if (h === undefined) return state.ageMs > UNREADABLE_GRACE_MS ? `the lock file is unreadable and ${seconds(state.ageMs)} old` : undefined;
  if (h.hostname === hostname()) {
    if (h.pid === process.pid && !held.has(h.token)) return `it was left by an earlier process with this one's pid ${h.pid}`;
    if (h.pid !== process.pid && !processExists(h.pid)) return `its process ${h.pid} is gone`;
  }
  if (state.ageMs > staleMs) return `it has not been refreshed for ${seconds(state.ageMs)} (limit ${seconds(staleMs)})`;
  return undefined;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`;
}

function describeHolder(h: LockHolder | undefined): string {
  return h === undefined ? "an unknown process" : `pid ${h.pid} on ${h.hostname} since ${h.started}`;
}

/**
 * Removes a stale lock unless another waiter is already doing so: under the takeover guard (O_EXCL),
 * and only if the lock still holds the text that was judged stale.
 */
function takeOver(lock: string, stale: LockState, reason: string, entry: string, log: (m: string) => void): boolean {
  const guard = `${lock}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_GRACE_MS) unlinkSync(guard); // its owner died mid-takeover
    } catch {
      // gone meanwhile
    }
    return false; // someone else is taking over; look again at the next poll
  }
  try {
    closeSync(fd);
    const now = lockState(lock);
    if (now !== undefined && now.text === stale.text) {
      unlinkSync(lock);
      log(`cache lock: taking over ${entry}: the lock of ${describeHolder(stale.holder)} is stale (${reason})`);
    }
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

/** Waits until `lock` is gone (taking it over when stale). @throws LockTimeoutError past `deadline`. */
async function waitForRelease(entry: string, lock: string, deadline: number, options: ClaimOptions): Promise<void> {
  const log = options.log ?? console.warn;
  const what = options.what ?? "cache entry";
  const reportEvery = options.reportEveryMs ?? 60_000;
  const started = Date.now();
  let poll = options.pollMs ?? 50;
  let nextReport = 0;
  for (;;) {
    const state = lockState(lock);
    if (state === undefined) return;
    const reason = staleReason(state, options.staleMs);
    if (reason !== undefined && takeOver(lock, state, reason, entry, log)) continue;
    const now = Date.now();
    if (now >= deadline) throw new LockTimeoutError(entry, lock, now - started, state.holder);
    if (now >= nextReport) {
      const waited = now - started;
      log(waited < 1000
        ? `${what}: waiting for ${entry}, which ${describeHolder(state.holder)} is computing`
        : `${what}: still waiting for ${entry} (${seconds(waited)}; ${describeHolder(state.holder)}; gives up after ${seconds(deadline - started)})`);
      nextReport = now + reportEvery;
    }
    await new Promise((r) => setTimeout(r, Math.min(poll, Math.max(1, deadline - now))));
    poll = Math.min(poll * 1.5, options.maxPollMs ?? 2000);
  }
}
