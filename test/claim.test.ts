import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { ClaimedElsewhere, computeOnce, deferringClaimed, isClaimedElsewhere, lockPathOf } from "../src/io/claim";
import { LockTimeoutError } from "../src/errors";
import { writeFileAtomic } from "../src/io/atomicWrite";

const REPO = resolve(import.meta.dirname, "..");
const TSX = join(REPO, "node_modules", "tsx", "dist", "cli.mjs");
const CHILD = join(REPO, "test", "fixtures", "claim-child.ts");
const FAST = { pollMs: 5, maxPollMs: 20 };

interface Run { code: number | null; stdout: string; stderr: string }

/**
 * Two children asking for the same entry at once. Each child's compute step waits for `<counter>.go`;
 * it is created as soon as one child reports that it waits for the other, so the requests overlap
 * (if both computed, neither would wait: the file then comes after 20 s and the counter shows 2).
 */
async function race(mode: string, target: string, counter: string): Promise<Run[]> {
  let go = false;
  const release = () => {
    if (!go) writeFileSync(`${counter}.go`, "");
    go = true;
  };
  const fallback = setTimeout(release, 20_000);
  const runs = [0, 1].map(() => new Promise<Run>((done, fail) => {
    const child = spawn(process.execPath, [TSX, CHILD, mode, target, counter], { cwd: REPO, env: { ...process.env, LATENT_BRIDGE_PROGRESS: "0" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => {
      stderr += String(d);
      if (stderr.includes("waiting for")) release();
    });
    child.on("error", fail);
    child.on("exit", (code) => done({ code, stdout, stderr }));
  }));
  try {
    return await Promise.all(runs);
  } finally {
    clearTimeout(fallback);
  }
}

function expectComputedOnce(runs: Run[], counter: string) {
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1); // computed exactly once
  const [a, b] = runs.map((r) => r.stdout.trim());
  expect(a).toMatch(/^[0-9a-f]{64}$/);
  expect(b).toBe(a); // both got the same bytes (the content is random: two computations would differ)
  expect(runs.filter((r) => r.stderr.includes("waiting for"))).toHaveLength(1); // the other one waited
}

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(String(r.stdout));
}

function textEntry(entry: string, counter: { n: number }, opts: { fail?: boolean; delayMs?: number } = {}) {
  return {
    read: () => (existsSync(entry) ? readFileSync(entry, "utf8") : undefined),
    compute: async () => {
      counter.n++;
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
      if (opts.fail) throw new RangeError("computation failed");
      writeFileAtomic(entry, `value ${counter.n}`);
      return `value ${counter.n}`;
    },
  };
}

describe("computeOnce across processes", () => {
  it("two processes asking for one entry (the claim itself) compute it once and get the same bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-"));
    const entry = join(dir, "sub", "entry.txt"); // its folder does not exist yet
    const runs = await race("claim", entry, join(dir, "counter"));
    expectComputedOnce(runs, join(dir, "counter"));
    expect(runs[0].stdout.trim()).toBe(createHash("sha256").update(readFileSync(entry)).digest("hex"));
    expect(existsSync(lockPathOf(entry))).toBe(false);
  }, 90_000);

  it("the embedding cache and the fitted-model cache compute a shared entry once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-caches-"));
    expectComputedOnce(await race("embeddings", join(dir, "cache"), join(dir, "counter-e")), join(dir, "counter-e"));
    expectComputedOnce(await race("loadOrFit", join(dir, "toy.txt"), join(dir, "counter-f")), join(dir, "counter-f"));
  }, 120_000);
});

describe("computeOnce: locks", () => {
  it("takes over a lock whose process is gone, saying so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-stale-"));
    const entry = join(dir, "entry.txt");
    const pid = deadPid();
    writeFileSync(lockPathOf(entry), JSON.stringify({ pid, hostname: hostname(), started: "2020-01-01T00:00:00.000Z", token: "dead" }));
    const log: string[] = [], n = { n: 0 };
    expect(await computeOnce(entry, textEntry(entry, n), { ...FAST, log: (m) => log.push(m) })).toBe("value 1");
    expect(n.n).toBe(1);
    expect(log.join("\n")).toMatch(new RegExp(`taking over .*entry\\.txt.*pid ${pid}.*stale \\(its process ${pid} is gone\\)`));
    expect(existsSync(lockPathOf(entry))).toBe(false);
    // A takeover guard left by a process killed while taking over (older than 10 s) is removed too.
    const entry2 = join(dir, "entry2.txt");
    writeFileSync(lockPathOf(entry2), JSON.stringify({ pid, hostname: hostname(), started: "2020-01-01T00:00:00.000Z", token: "dead2" }));
    writeFileSync(`${lockPathOf(entry2)}.takeover`, "");
    const old = new Date(Date.now() - 20_000);
    utimesSync(`${lockPathOf(entry2)}.takeover`, old, old);
    expect(await computeOnce(entry2, textEntry(entry2, n), { ...FAST, log: (m) => log.push(m) })).toBe("value 2");
    expect(existsSync(`${lockPathOf(entry2)}.takeover`)).toBe(false);
  });

  it("isClaimedElsewhere: a live holder's lock is a claim; none, a dead process's, this process's own, or an old one of another host is not", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-live-"));
    const entry = join(dir, "entry.txt");
    expect(isClaimedElsewhere(entry)).toBe(false);
    const lock = (pid: number, host = hostname()) => writeFileSync(lockPathOf(entry), JSON.stringify({ pid, hostname: host, started: "2020-01-01T00:00:00.000Z", token: `t${pid}` }));
    lock(process.ppid); // alive: the process that started this test
    expect(isClaimedElsewhere(entry)).toBe(true);
    lock(deadPid());
    expect(isClaimedElsewhere(entry)).toBe(false);
    lock(process.pid); // an earlier process with this pid (its token is not one this process holds): stale
    expect(isClaimedElsewhere(entry)).toBe(false);
    writeFileSync(lockPathOf(entry), "{"); // unreadable: a claim being written, until it is a few seconds old
    expect(isClaimedElsewhere(entry)).toBe(true);
    const old10 = new Date(Date.now() - 10_000);
    utimesSync(lockPathOf(entry), old10, old10);
    expect(isClaimedElsewhere(entry)).toBe(false);
    lock(process.ppid, "another-host");
    expect(isClaimedElsewhere(entry)).toBe(true);
    const old = new Date(Date.now() - 24 * 3600_000);
    utimesSync(lockPathOf(entry), old, old);
    expect(isClaimedElsewhere(entry)).toBe(false);
  });

  it("isClaimedElsewhere: the claim this process holds while computing is not someone else's", async () => {
    const entry = join(mkdtempSync(join(tmpdir(), "lb-claim-own-")), "entry.txt");
    let seen: boolean | undefined;
    await computeOnce(entry, {
      read: () => (existsSync(entry) ? readFileSync(entry, "utf8") : undefined),
      compute: async () => {
        expect(existsSync(lockPathOf(entry))).toBe(true);
        seen = isClaimedElsewhere(entry);
        writeFileAtomic(entry, "v");
        return "v";
      },
    }, FAST);
    expect(seen).toBe(false);
  });

  it("takes over a lock of another host not refreshed within the limit, and an unreadable lock once it is old", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-old-"));
    const entry = join(dir, "entry.txt");
    const lock = lockPathOf(entry);
    writeFileSync(lock, JSON.stringify({ pid: 1, hostname: "elsewhere.invalid", started: "2020-01-01T00:00:00.000Z", token: "far" }));
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    const log: string[] = [], n = { n: 0 };
    expect(await computeOnce(entry, textEntry(entry, n), { ...FAST, staleMs: 5_000, log: (m) => log.push(m) })).toBe("value 1");
    expect(log.join("\n")).toMatch(/pid 1 on elsewhere\.invalid .*has not been refreshed for 10 s \(limit 5 s\)/);
    // An empty lock (a crash between create and write), 10 s old.
    const entry2 = join(dir, "entry2.txt");
    writeFileSync(lockPathOf(entry2), "");
    utimesSync(lockPathOf(entry2), old, old);
    expect(await computeOnce(entry2, textEntry(entry2, n), { ...FAST, log: (m) => log.push(m) })).toBe("value 2");
    expect(log.join("\n")).toMatch(/lock file is unreadable and 10 s old/);
  });

  it("releases the lock when the computation fails; the next caller computes, and a waiter takes over from a failed holder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-fail-"));
    const entry = join(dir, "entry.txt");
    const n = { n: 0 };
    await expect(computeOnce(entry, textEntry(entry, n, { fail: true }), FAST)).rejects.toThrow(RangeError);
    expect(existsSync(lockPathOf(entry))).toBe(false);
    expect(await computeOnce(entry, textEntry(entry, n), FAST)).toBe("value 2");
    expect(n.n).toBe(2);
    // A holder that fails while another request waits: the waiter computes the entry itself.
    const entry2 = join(dir, "entry2.txt");
    const m = { n: 0 }, log: string[] = [];
    const failing = computeOnce(entry2, textEntry(entry2, m, { fail: true, delayMs: 100 }), FAST);
    const waiting = computeOnce(entry2, textEntry(entry2, m), { ...FAST, log: (s) => log.push(s) });
    await expect(failing).rejects.toThrow(RangeError);
    expect(await waiting).toBe("value 2");
    expect(log.join("\n")).toMatch(/waiting for .*entry2\.txt/);
  });

  it("a wait for a live holder ends with a LockTimeoutError naming the entry, and leaves the lock alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-timeout-"));
    const entry = join(dir, "entry.txt");
    const holder = { pid: process.ppid, hostname: hostname(), started: new Date().toISOString(), token: "alive" };
    writeFileSync(lockPathOf(entry), JSON.stringify(holder));
    const n = { n: 0 }, log: string[] = [];
    const started = Date.now();
    const err = await computeOnce(entry, textEntry(entry, n), { ...FAST, timeoutMs: 300, log: (m) => log.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    const e = err as LockTimeoutError;
    expect(e.argument).toBe(entry);
    expect(e.lockPath).toBe(lockPathOf(entry));
    expect(e.holder?.pid).toBe(process.ppid);
    expect(e.waitedMs).toBeGreaterThanOrEqual(250);
    expect(e.message).toMatch(/entry\.txt: waited 0\.\d s for pid \d+ .*LATENT_BRIDGE_LOCK_TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(n.n).toBe(0);
    expect(JSON.parse(readFileSync(lockPathOf(entry), "utf8")).token).toBe("alive");
    expect(log[0]).toMatch(/waiting for .*entry\.txt, which pid \d+ on .* is computing/);
  });

  it("reads an entry that is there without touching the lock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-claim-hit-"));
    const entry = join(dir, "entry.txt");
    writeFileSync(entry, "there");
    writeFileSync(lockPathOf(entry), JSON.stringify({ pid: process.ppid, hostname: hostname(), started: "x", token: "alive" }));
    const n = { n: 0 };
    expect(await computeOnce(entry, textEntry(entry, n), { ...FAST, timeoutMs: 50 })).toBe("there");
    expect(n.n).toBe(0);
  });
});

describe("deferringClaimed: a claim held elsewhere is a signal, not a wait", () => {
  const liveLock = (entry: string) =>
    writeFileSync(lockPathOf(entry), JSON.stringify({ pid: process.ppid, hostname: hostname(), started: "2020-01-01T00:00:00.000Z", token: "alive" }));

  it("throws ClaimedElsewhere at once, naming the entry and its holder, computes nothing and leaves the lock alone", async () => {
    const entry = join(mkdtempSync(join(tmpdir(), "lb-defer-")), "entry.txt");
    liveLock(entry);
    const n = { n: 0 }, log: string[] = [];
    const started = Date.now();
    const err = await deferringClaimed(() => computeOnce(entry, textEntry(entry, n), { ...FAST, timeoutMs: 60_000, log: (m) => log.push(m) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaimedElsewhere);
    expect((err as ClaimedElsewhere).entry).toBe(entry);
    expect((err as ClaimedElsewhere).holder?.pid).toBe(process.ppid);
    expect((err as Error).message).toMatch(/entry\.txt is being computed by pid \d+/);
    expect(Date.now() - started).toBeLessThan(2_000); // no wait (the timeout is a minute)
    expect(n.n).toBe(0);
    expect(log).toEqual([]);
    expect(JSON.parse(readFileSync(lockPathOf(entry), "utf8")).token).toBe("alive");
    // Outside deferringClaimed the same request waits (and times out here).
    await expect(computeOnce(entry, textEntry(entry, n), { ...FAST, timeoutMs: 100, log: () => {} })).rejects.toThrow(LockTimeoutError);
  });

  it("reads an entry that is there, computes an unclaimed one, and takes over a dead process's lock as always", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-defer-usual-"));
    const there = join(dir, "there.txt"), free = join(dir, "free.txt"), dead = join(dir, "dead.txt");
    writeFileSync(there, "there");
    liveLock(there);
    writeFileSync(lockPathOf(dead), JSON.stringify({ pid: deadPid(), hostname: hostname(), started: "2020-01-01T00:00:00.000Z", token: "dead" }));
    const n = { n: 0 };
    const got = await deferringClaimed(async () => [
      await computeOnce(there, textEntry(there, n), FAST),
      await computeOnce(free, textEntry(free, n), FAST),
      await computeOnce(dead, textEntry(dead, n), { ...FAST, log: () => {} }),
    ]);
    expect(got).toEqual(["there", "value 1", "value 2"]);
    expect(existsSync(lockPathOf(dead))).toBe(false);
  });

  it("inside a computation this process has claimed, a nested claim held elsewhere is waited for, not given up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-defer-nested-"));
    const outer = join(dir, "outer.txt"), inner = join(dir, "inner.txt");
    liveLock(inner);
    const release = setTimeout(() => {
      writeFileAtomic(inner, "inner by the other process");
      rmSync(lockPathOf(inner)); // then the other process removes its lock
    }, 300);
    const log: string[] = [];
    try {
      const got = await deferringClaimed(() => computeOnce(outer, {
        read: () => (existsSync(outer) ? readFileSync(outer, "utf8") : undefined),
        compute: async () => {
          const v = await computeOnce(inner, textEntry(inner, { n: 0 }), { ...FAST, log: (m) => log.push(m) });
          writeFileAtomic(outer, `outer of ${v}`);
          return `outer of ${v}`;
        },
      }, FAST));
      expect(got).toBe("outer of inner by the other process");
      expect(log.join("\n")).toMatch(/waiting for .*inner\.txt/);
    } finally {
      clearTimeout(release);
    }
  });
});
