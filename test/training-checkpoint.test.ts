/**
 * Training checkpoints (src/heads/trainingCheckpoint.ts, `minibatchAdam`'s `checkpoint` option): a run
 * stopped half-way and continued from its checkpoint ends with the same weights, bit for bit, as one
 * that was never stopped — in process (a step that throws) and across processes (a text transformer's
 * pretraining killed with SIGKILL, then asked for again through the encoder cache). Checkpoints of
 * another run or damaged files are ignored, never resumed.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getTf, type Tf } from "../src/engine/tf";
import { InvalidParameterError } from "../src/errors";
import { initWeight, trainSoftmax } from "../src/heads/softmaxTraining";
import { loadTrainingState } from "../src/heads/trainingCheckpoint";
import { Random } from "../src/linalg/random";

const REPO = resolve(import.meta.dirname, "..");
let tf: Tf;
let dir: string;
beforeAll(async () => {
  tf = (await getTf()).tf;
  dir = mkdtempSync(join(tmpdir(), "lb-checkpoint-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Random state", () => {
  it("setState(getState()) continues the same stream, normal deviates' spare included", () => {
    const a = new Random(7);
    for (let i = 0; i < 5; i++) a.uniform();
    a.normal(); // leaves a spare deviate
    const saved = a.getState();
    expect(saved.spareNormal).not.toBeNull();
    const expected = [a.normal(), a.uniform(), a.nextUint32(), a.int(1000)];
    const b = new Random(99);
    b.setState(JSON.parse(JSON.stringify(saved)));
    expect([b.normal(), b.uniform(), b.nextUint32(), b.int(1000)]).toEqual(expected);
  });

  it("refuses states getState cannot have made", () => {
    const r = new Random(0);
    for (const bad of [{ words: [0, 0, 0, 0], spareNormal: null }, { words: [1, 2, 3], spareNormal: null }, { words: [1, 2, 3, -4], spareNormal: null }, { words: [1, 2, 3, 4], spareNormal: NaN }, null]) {
      expect(() => r.setState(bad as never)).toThrow(InvalidParameterError);
    }
  });
});

/** A 3-class softmax regression on 60 seeded points: the weights after `epochs` of minibatch Adam (batches of 8). */
async function softmaxRun(o: { checkpoint?: string; key?: string; failAtStep?: number; everySeconds?: number }): Promise<{ w: Float32Array; history: { loss: number[]; trainAccuracy: number[] } }> {
  const data = new Random(1);
  const n = 60, d = 4, k = 3;
  const x = Float32Array.from({ length: n * d }, () => data.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => (x[i * d] + 0.5 * x[i * d + 1] > 0.3 ? 0 : x[i * d + 2] > 0 ? 1 : 2));
  const rng = new Random(5);
  const w = tf.variable(tf.tensor2d(initWeight(rng, d, k, "linear"), [d, k]));
  const b = tf.variable(tf.zeros([k]));
  let steps = 0;
  try {
    const history = await trainSoftmax(tf, {
      n, labels, numClasses: k, epochs: 5, batchSize: 8, learningRate: 0.05, rng, variables: [w, b], label: "t", progress: false,
      learningRateAt: (s) => 0.05 / (1 + 0.1 * s),
      checkpoint: o.checkpoint === undefined ? undefined : { path: o.checkpoint, key: o.key ?? "run-a", everySeconds: o.everySeconds ?? 0 },
      logits: (batch) => {
        if (++steps === o.failAtStep) throw new Error("stopped");
        const xb = tf.tensor2d(Float32Array.from(Array.from(batch).flatMap((i) => Array.from(x.subarray(i * d, (i + 1) * d)))), [batch.length, d]);
        return tf.add(tf.matMul(xb, w), b) as TF.Tensor2D;
      },
    });
    return { w: Float32Array.from([...(w.dataSync() as Float32Array), ...(b.dataSync() as Float32Array)]), history };
  } finally {
    w.dispose();
    b.dispose();
  }
}

describe("minibatchAdam checkpoints", () => {
  it("a run stopped at step 23 of 40 and continued ends with the uninterrupted run's weights and history, bit for bit; the checkpoint is then removed", async () => {
    const plain = await softmaxRun({});
    const path = join(dir, "a.partial");
    await expect(softmaxRun({ checkpoint: path, failAtStep: 23 })).rejects.toThrow("stopped");
    expect(existsSync(path)).toBe(true);
    const saved = loadTrainingState(path, "run-a", [{ shape: [4, 3] }, { shape: [3] }], 1)!;
    expect(saved.step).toBe(22); // saved after every finished step; step 23 threw
    expect([saved.epoch, saved.batchesDone]).toEqual([2, 6]); // 8 batches per epoch
    expect(saved.adam.iterations).toBe(22);
    const resumed = await softmaxRun({ checkpoint: path });
    expect(Array.from(resumed.w)).toEqual(Array.from(plain.w));
    expect(resumed.history.loss).toEqual(plain.history.loss);
    expect(resumed.history.trainAccuracy).toEqual(plain.history.trainAccuracy);
    expect(existsSync(path)).toBe(false);
  });

  it("a checkpoint of another run, or a damaged one, is reported and ignored: the run starts over and gets the plain result", async () => {
    const plain = await softmaxRun({});
    const path = join(dir, "c.partial");
    await expect(softmaxRun({ checkpoint: path, key: "run-other", failAtStep: 17 })).rejects.toThrow("stopped");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const fresh = await softmaxRun({ checkpoint: path, key: "run-a" });
      expect(Array.from(fresh.w)).toEqual(Array.from(plain.w));
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain("belongs to another run");
      stderr.mockClear();
      writeFileSync(path, readFileSync(join(REPO, "package.json"), "utf8").slice(0, 50)); // not JSON
      const again = await softmaxRun({ checkpoint: path });
      expect(Array.from(again.w)).toEqual(Array.from(plain.w));
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain("is not readable JSON");
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(path)).toBe(false);
  });

  it("checkpoints for other variables are not resumed", async () => {
    const path = join(dir, "d.partial");
    await expect(softmaxRun({ checkpoint: path, failAtStep: 5 })).rejects.toThrow("stopped");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(loadTrainingState(path, "run-a", [{ shape: [4, 2] }, { shape: [3] }], 1)).toBeUndefined();
      expect(loadTrainingState(path, "run-a", [{ shape: [4, 3] }, { shape: [3] }], 2)).toBeUndefined();
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(/holds other variables[\s\S]*random generator states/);
    } finally {
      stderr.mockRestore();
    }
    rmSync(path);
  });
});

// A text transformer's pretraining in a child process through the encoder cache; prints the weights' digest.
const CHILD = `
import { cachedBertEncoder } from "./src/encoders/trained/bert/index";
const spec = { id: "bert-ck", tokenizer: "word", vocabSize: 200, maxLength: 16, width: 32, depth: 2, heads: 4, mlpRatio: 2, seed: 3, epochs: 6, trainSize: 400, batchSize: 16, learningRate: 3e-3 };
const e = await cachedBertEncoder(spec, "wordnet", { quick: false, progress: "log", dir: process.env.CK_DIR });
console.log("DIGEST " + e.digest + " " + JSON.stringify(e.history.loss));
`;

describe("an interrupted encoder training, across processes", () => {
  it("a text transformer's pretraining killed with SIGKILL half-way continues from its .partial checkpoint to the uninterrupted run's weights", async () => {
    const script = join(REPO, `.ck-child-${process.pid}.ts`);
    writeFileSync(script, CHILD);
    try {
      const run = (ckDir: string, everySeconds: string) => spawnSync(process.execPath, ["--import", "tsx", script], { cwd: REPO, encoding: "utf8", env: { ...process.env, CK_DIR: ckDir, LATENT_BRIDGE_CHECKPOINT_SECONDS: everySeconds } });
      const plainDir = join(dir, "plain"), cutDir = join(dir, "cut");
      const plain = run(plainDir, "0");
      expect(plain.status, plain.stderr).toBe(0);
      const digest = /DIGEST (.*)/.exec(plain.stdout)![1];
      // Kill the second run as soon as it has saved a checkpoint past its second epoch.
      const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: REPO, env: { ...process.env, CK_DIR: cutDir, LATENT_BRIDGE_CHECKPOINT_SECONDS: "0" } });
      const partial = await new Promise<string | undefined>((done) => {
        const timer = setInterval(() => {
          const f = existsSync(cutDir) ? spawnSync("ls", [cutDir], { encoding: "utf8" }).stdout.split("\n").find((x) => x.endsWith(".partial")) : undefined;
          if (f) {
            try {
              const s = JSON.parse(readFileSync(join(cutDir, f), "utf8")) as { epoch: number };
              if (s.epoch >= 2) {
                child.kill("SIGKILL");
                clearInterval(timer);
                done(f);
              }
            } catch {
              // being renamed into place: look again
            }
          }
        }, 20);
        child.on("exit", () => {
          clearInterval(timer);
          done(undefined);
        });
      });
      expect(partial, "the child finished before it could be killed: make the run longer").toBeDefined();
      await new Promise((r) => child.on("exit", r));
      const resumed = run(cutDir, "0");
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/pretrain bert-ck on wordnet: resuming from the checkpoint .*\.partial at step \d+ of \d+/);
      expect(/DIGEST (.*)/.exec(resumed.stdout)![1]).toBe(digest);
      expect(existsSync(join(cutDir, partial!))).toBe(false);
    } finally {
      rmSync(script, { force: true });
    }
  }, 180_000);
});
