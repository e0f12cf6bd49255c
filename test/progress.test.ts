import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidParameterError } from "../src/errors";
import {
  formatDuration, formatProgress, formatRate, inTslabKernel, progress, withProgress, type ProgressStream,
} from "../src/engine/progress";

/** A fake output stream that records writes, and a fake clock. */
function fakeStream(isTTY: boolean): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) };
}
function fakeClock(start = 100): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s) };
}

beforeEach(() => {
  vi.stubEnv("LATENT_BRIDGE_PROGRESS", "");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("formatProgress (pure)", () => {
  it("shows count/total, percent, rate and ETA", () => {
    expect(formatProgress({ label: "embed", count: 50, total: 200, elapsedSeconds: 5 })).toBe("embed 50/200 25% 10.0/s ETA 15s");
    expect(formatProgress({ label: "train", count: 3, total: 1000, elapsedSeconds: 12 })).toBe("train 3/1000 0% 0.25/s ETA 1h06m");
    expect(formatProgress({ count: 5000, total: 10000, elapsedSeconds: 2 })).toBe("5000/10000 50% 2500/s ETA 2s");
  });

  it("shows elapsed time when done, and handles unknown totals and a zero start", () => {
    expect(formatProgress({ label: "embed", count: 200, total: 200, elapsedSeconds: 20, done: true })).toBe("embed 200/200 100% 10.0/s 20s");
    expect(formatProgress({ label: "scan", count: 50, elapsedSeconds: 5 })).toBe("scan 50 10.0/s 5s");
    expect(formatProgress({ label: "embed", count: 0, total: 200, elapsedSeconds: 0 })).toBe("embed 0/200 0% ?/s ETA ?");
    expect(formatProgress({ label: "x", count: 0, total: 0, elapsedSeconds: 1, done: true })).toBe("x 0 ?/s 1s");
  });

  it("formats durations and rates", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(59.4)).toBe("59s");
    expect(formatDuration(125)).toBe("2m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(formatDuration(Infinity)).toBe("?");
    expect(formatRate(1234.4)).toBe("1234/s");
    expect(formatRate(12.345)).toBe("12.3/s");
    expect(formatRate(0.0123)).toBe("0.012/s");
  });
});

describe("progress bar", () => {
  it("non-TTY output is bounded: one line per 10 % step plus the final line", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const bar = progress({ total: 10_000, label: "embed", stream, now: clock.now });
    expect(bar.mode).toBe("log");
    for (let i = 0; i < 10_000; i++) {
      clock.advance(0.001);
      bar.tick();
    }
    bar.done();
    expect(stream.writes.length).toBe(10); // 10 %, 20 %, …, 90 % and the final 100 %
    for (const w of stream.writes) expect(w.endsWith("\n")).toBe(true);
    expect(stream.writes[0]).toBe("embed 1000/10000 10% 1000/s ETA 9s\n");
    expect(stream.writes.at(-1)).toBe("embed 10000/10000 100% 1000/s 10s\n");
  });

  it("non-TTY with an unknown total prints every logEverySeconds", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const bar = progress({ label: "scan", stream, now: clock.now, logEverySeconds: 30 });
    for (let i = 0; i < 1000; i++) {
      clock.advance(0.125); // 125 s in all (a step exact in binary floating point)
      bar.tick();
    }
    bar.done();
    expect(stream.writes).toEqual([
      "scan 240 8.0/s 30s\n", "scan 480 8.0/s 1m00s\n", "scan 720 8.0/s 1m30s\n", "scan 960 8.0/s 2m00s\n", "scan 1000 8.0/s 2m05s\n",
    ]);
  });

  it("TTY output rewrites one line with \\r, throttled, and ends with a newline", () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const bar = progress({ total: 1000, label: "train", stream, now: clock.now });
    expect(bar.mode).toBe("tty");
    for (let i = 0; i < 1000; i++) {
      clock.advance(0.002); // 2 s in all, redraws at most every 0.1 s
      bar.tick();
    }
    bar.done();
    expect(stream.writes.length).toBeLessThanOrEqual(22);
    expect(stream.writes.every((w) => w.startsWith("\r"))).toBe(true);
    expect(stream.writes.slice(0, -1).every((w) => !w.includes("\n"))).toBe(true);
    const last = stream.writes.at(-1)!;
    expect(last.endsWith("\n")).toBe(true);
    expect(last.trimEnd()).toBe("\rtrain 1000/1000 100% 500/s 2s");
  });

  it("TTY pads a shorter line so no stale characters remain", () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const bar = progress({ total: 100, label: "x", stream, now: clock.now });
    clock.advance(1);
    bar.tick(1); // "x 1/100 1% 1.0/s ETA 1m39s"
    clock.advance(100);
    bar.update(99); // "x 99/100 99% 0.98/s ETA 1s" (shorter)
    expect(stream.writes[1].length).toBeGreaterThanOrEqual(stream.writes[0].length);
  });

  it("done() prints a final 100 % line once, and later ticks are ignored", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const bar = progress({ total: 4, label: "fit", stream, now: clock.now });
    clock.advance(2);
    bar.tick(4);
    bar.done();
    bar.done();
    bar.tick();
    expect(stream.writes).toEqual(["fit 4/4 100% 2.0/s 2s\n"]);
    expect(bar.count).toBe(4);
  });

  it("LATENT_BRIDGE_PROGRESS=0 silences everything", () => {
    vi.stubEnv("LATENT_BRIDGE_PROGRESS", "0");
    const stream = fakeStream(true);
    const bar = progress({ total: 10, stream });
    expect(bar.mode).toBe("silent");
    for (let i = 0; i < 10; i++) bar.tick();
    bar.done();
    expect(stream.writes).toEqual([]);
  });

  it("LATENT_BRIDGE_PROGRESS=log forces line mode even on a TTY", () => {
    vi.stubEnv("LATENT_BRIDGE_PROGRESS", "log");
    expect(progress({ total: 10, stream: fakeStream(true) }).mode).toBe("log");
  });

  it("notebook mode sends at most one display update per event-loop turn, and the final line after it", async () => {
    // tslab fails the cell when a second update is sent before the loop has run (see showNotebook).
    const sent: string[] = [];
    const clock = fakeClock();
    const bar = progress({
      total: 100, label: "train", mode: "notebook", now: clock.now, stream: fakeStream(false),
      newDisplay: () => ({ html: (s: string) => sent.push(s) }) as never,
    });
    expect(bar.mode).toBe("notebook");
    for (let i = 0; i < 40; i++) {
      clock.advance(1); // far beyond the minimum interval: only the event loop holds updates back
      bar.tick();
    }
    expect(sent.length).toBe(1);
    await new Promise<void>((r) => setImmediate(r));
    for (let i = 0; i < 60; i++) {
      clock.advance(1);
      bar.tick();
    }
    bar.done();
    expect(sent.length).toBe(2);
    expect(sent[1]).toContain("train 41/100");
    await new Promise<void>((r) => setImmediate(r));
    expect(sent.length).toBe(3);
    expect(sent[2]).toContain("train 100/100 100%");
  });

  it("is not a notebook here, and rejects bad totals", () => {
    expect(inTslabKernel()).toBe(false);
    expect(progress({ total: 3, mode: "notebook", stream: fakeStream(false) }).mode).toBe("log");
    expect(() => progress({ total: -1 })).toThrow(InvalidParameterError);
    expect(() => progress({ total: NaN })).toThrow(InvalidParameterError);
  });
});

describe("withProgress", () => {
  it("wraps a sync iterable, infers the total and finishes with 100 %", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const seen: number[] = [];
    for (const x of withProgress([1, 2, 3, 4, 5], { label: "items", stream, now: clock.now })) {
      clock.advance(1);
      seen.push(x);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(stream.writes.at(-1)).toBe("items 5/5 100% 1.0/s 5s\n");
    expect(stream.writes.length).toBe(5); // 20 %, 40 %, 60 %, 80 % and the final line
  });

  it("wraps an async iterable with an explicit total, and ends on break", async () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    async function* gen(): AsyncGenerator<number> {
      for (let i = 0; i < 100; i++) yield i;
    }
    let n = 0;
    for await (const x of withProgress(gen(), { label: "batches", total: 100, stream, now: clock.now })) {
      clock.advance(0.5);
      n++;
      if (x === 49) break;
    }
    expect(n).toBe(50);
    expect(stream.writes.at(-1)).toBe("batches 49/100 49% 2.0/s 25s\n");
  });
});
