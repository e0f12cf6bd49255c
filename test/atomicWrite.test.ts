/**
 * src/io/atomicWrite.ts: a write is all or nothing — a failure, a caught signal (SIGINT, SIGTERM,
 * SIGHUP) or a kill leaves no partial target; caught signals leave no temporary file either, and a
 * killed writer's temporary is removed later by `removeStaleTemporaries` (issue 13 items 6 and 8).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileSystemError } from "../src/errors";
import { removeStaleTemporaries, writeFileAtomic, writeFileAtomicInterruptible } from "../src/io/atomicWrite";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const CHILD = join(REPO, "test", "fixtures", "interrupt-child.ts");
const root = mkdtempSync(join(tmpdir(), "latent-bridge-atomic-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const deadPid = (): number => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("writeFileAtomic / writeFileAtomicInterruptible", () => {
  it("write the whole content, replacing the target, and leave nothing else", async () => {
    const dir = mkdtempSync(join(root, "ok-"));
    const path = join(dir, "sub", "f.bin");
    writeFileAtomic(path, "old");
    await writeFileAtomicInterruptible(path, new Uint8Array(300_000).fill(3), { chunkBytes: 65_536 });
    expect(readFileSync(path).length).toBe(300_000);
    expect(readdirSync(join(dir, "sub"))).toEqual(["f.bin"]);
  });

  it("a regular file among the parents is a FileSystemError naming it (not a raw EEXIST from mkdir)", async () => {
    const dir = mkdtempSync(join(root, "parent-"));
    writeFileSync(join(dir, "file"), "x");
    for (const write of [(p: string) => writeFileAtomic(p, "y"), (p: string) => writeFileAtomicInterruptible(p, "y")]) {
      let caught: unknown;
      try {
        await write(join(dir, "file", "a", "b.npy"));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FileSystemError);
      expect((caught as FileSystemError).argument).toBe(join(dir, "file", "a", "b.npy"));
      expect((caught as Error).message).toBe(`${join(dir, "file", "a", "b.npy")}: cannot create its directory: ${join(dir, "file")} is a file, not a directory`);
    }
  });

  it("writing onto a directory is a FileSystemError, and the temporary file is gone", () => {
    const dir = mkdtempSync(join(root, "onto-dir-"));
    expect(() => writeFileAtomic(dir, "y")).toThrow(FileSystemError);
    expect(readdirSync(join(dir, ".."))).not.toContain(expect.stringMatching(/^\.lb-tmp-/));
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)("%s during an interruptible write: InterruptedError, no target, no temporary file", (signal) => {
    const dir = mkdtempSync(join(root, `sig-${signal}-`));
    const path = join(dir, "y.bin");
    writeFileSync(path, "previous");
    const r = spawnSync(process.execPath, ["--import", "tsx", CHILD, path, String(4 << 20), signal], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
    expect(r.stdout).toBe(`InterruptedError: ${path}: interrupted before the file was complete; nothing was written (${signal})\n`);
    expect(readdirSync(dir)).toEqual(["y.bin"]);
    expect(readFileSync(path, "utf8")).toBe("previous"); // the old file is untouched
  });

  it("SIGKILL during a synchronous write leaves the hidden temporary (it cannot be caught); removeStaleTemporaries removes it", async () => {
    const dir = mkdtempSync(join(root, "kill-"));
    const path = join(dir, "y.bin");
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, path, String(100 << 20), "SIGKILL", "sync"], { cwd: REPO, stdio: "ignore" });
    let sawTemp = false;
    const poll = setInterval(() => {
      if (!sawTemp && readdirSync(dir).some((f) => f.startsWith(".lb-tmp-"))) {
        sawTemp = true;
        child.kill("SIGKILL");
      }
    }, 2);
    const signal = await new Promise<NodeJS.Signals | null>((resolveSignal) => child.on("exit", (_c, s) => resolveSignal(s)));
    clearInterval(poll);
    expect(sawTemp).toBe(true);
    expect(signal).toBe("SIGKILL");
    const left = readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.lb-tmp-y\\.bin\\.${child.pid}\\.[0-9a-f]{12}$`));
    expect(removeStaleTemporaries(dir)).toEqual([join(dir, left[0])]);
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});

describe("removeStaleTemporaries", () => {
  it("removes only this tool's temporaries whose writer is gone", () => {
    const dir = mkdtempSync(join(root, "stale-"));
    const dead = deadPid();
    const names = {
      stale: `.lb-tmp-a.npy.${dead}.00112233aabb`,
      mine: `.lb-tmp-a.npy.${process.pid}.00112233aabb`,
      init: `.lb-tmp-a.npy.1.00112233aabb`, // pid 1 always exists
      notOurs: `.lb-tmp-a.npy.${dead}.not-hex-at-all`,
      plain: "a.npy",
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), "x");
    expect(removeStaleTemporaries(dir)).toEqual([join(dir, names.stale)]);
    expect(readdirSync(dir).sort()).toEqual([names.mine, names.init, names.notOurs, names.plain].sort());
    expect(removeStaleTemporaries(join(dir, "missing"))).toEqual([]);
    expect(existsSync(join(dir, names.mine))).toBe(true);
  });
});
