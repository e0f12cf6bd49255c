import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { computeOnce, lockPathOf } from "../src/io/claim";
import { writeFileAtomic } from "../src/io/atomicWrite";
import { mapSharingClaims } from "../src/experiments/shareClaims";

const FAST = { pollMs: 5, maxPollMs: 20, log: () => {} };

/** A lock as a live process would hold it: the pid is the process that started this test. */
function holdElsewhere(entry: string): void {
  writeFileSync(lockPathOf(entry), JSON.stringify({ pid: process.ppid, hostname: hostname(), started: new Date().toISOString(), token: "other" }));
}

/** What the other process does when it finishes: writes the entry, then removes its lock. */
function finishElsewhere(entry: string, value: string): void {
  writeFileAtomic(entry, value);
  rmSync(lockPathOf(entry));
}

/** Per-item work with one cache entry per item, recording what this process computed, in order. */
function entries(dir: string) {
  const computed: string[] = [];
  const entryOf = (item: string) => join(dir, `${item}.txt`);
  const work = (item: string) => computeOnce(entryOf(item), {
    read: () => (existsSync(entryOf(item)) ? readFileSync(entryOf(item), "utf8") : undefined),
    compute: async () => {
      computed.push(item);
      writeFileAtomic(entryOf(item), `${item} by us`);
      return `${item} by us`;
    },
  }, FAST);
  return { computed, entryOf, work };
}

describe("mapSharingClaims", () => {
  it("without claims elsewhere it is the loop in order", async () => {
    const e = entries(mkdtempSync(join(tmpdir(), "lb-share-plain-")));
    expect(await mapSharingClaims(["a", "b", "c"], e.work, { log: undefined })).toEqual(["a by us", "b by us", "c by us"]);
    expect(e.computed).toEqual(["a", "b", "c"]);
  });

  it("does the items nobody else computes first, waits last for the one held elsewhere, and returns the results in the items' order", async () => {
    const e = entries(mkdtempSync(join(tmpdir(), "lb-share-wait-")));
    holdElsewhere(e.entryOf("a"));
    const log: string[] = [];
    let waitedFor: string | undefined;
    // The other process finishes "a" only once this one has done b and c (so this one must not have waited for it).
    const work = async (item: string) => {
      if (item === "a" && e.computed.length === 2 && waitedFor === undefined) {
        waitedFor = item;
        setTimeout(() => finishElsewhere(e.entryOf("a"), "a by the other process"), 200);
      }
      return e.work(item);
    };
    expect(await mapSharingClaims(["a", "b", "c"], work, { log: (m) => log.push(m) })).toEqual(["a by the other process", "b by us", "c by us"]);
    expect(e.computed).toEqual(["b", "c"]); // "a" computed once, elsewhere
    expect(waitedFor).toBe("a");
    expect(log).toHaveLength(1); // said once, however often it is tried
    expect(log[0]).toMatch(/^a: put aside while another process computes .*a\.txt$/);
  });

  it("comes back to an item put aside as soon as its entry is there, without waiting", async () => {
    const e = entries(mkdtempSync(join(tmpdir(), "lb-share-retry-")));
    holdElsewhere(e.entryOf("a"));
    holdElsewhere(e.entryOf("c"));
    // "a" is finished elsewhere while this process computes "b"; "c" is still held: then "a" is read, and "c" waited for.
    let cScheduled = false;
    const attempts: string[] = [];
    const work = async (item: string) => {
      attempts.push(item);
      if (item === "b") finishElsewhere(e.entryOf("a"), "a by the other process");
      if (item === "c" && !cScheduled) {
        cScheduled = true;
        setTimeout(() => finishElsewhere(e.entryOf("c"), "c by the other process"), 100);
      }
      return e.work(item);
    };
    expect(await mapSharingClaims(["a", "b", "c"], work, { log: undefined })).toEqual(["a by the other process", "b by us", "c by the other process"]);
    expect(e.computed).toEqual(["b"]);
    // First pass a (put aside), b, c (put aside); then a is read and c tried again until it is there.
    expect(attempts.slice(0, 4)).toEqual(["a", "b", "c", "a"]);
    expect(attempts.filter((i) => i === "a")).toHaveLength(2);
  });

  it("an item whose holder died is computed here; an error that is not the signal stops the map", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-share-errors-"));
    const e = entries(dir);
    writeFileSync(lockPathOf(e.entryOf("a")), JSON.stringify({ pid: 2 ** 22 + 1, hostname: hostname(), started: "2020-01-01T00:00:00.000Z", token: "dead" }));
    expect(await mapSharingClaims(["a"], e.work, { log: undefined })).toEqual(["a by us"]);
    const failing = (item: string) => (item === "y" ? Promise.reject(new RangeError("y failed")) : e.work(item));
    await expect(mapSharingClaims(["x", "y", "z"], failing, { log: undefined })).rejects.toThrow("y failed");
    expect(e.computed).toEqual(["a", "x"]);
  });
});
