/**
 * Checkpoints of a `minibatchAdam` run (softmaxTraining.ts), so a training stopped half-way — Ctrl-C,
 * a closed notebook, a machine that went away — continues where it was instead of starting over, and
 * ends with exactly the weights an uninterrupted run gives: everything the rest of the run depends on
 * is saved — the variables, Adam's moments, its bias-correction powers β₁ᵗ, β₂ᵗ (as they are, not
 * recomputed as powers, which would round differently) and step count, the caller's random
 * generators, the current epoch's batch order and the loss / accuracy sums so far.
 *
 * One file per run (`<encoder cache file>.partial`), written atomically; removed when the run ends.
 * A checkpoint of another run (its key differs), of other variables or a damaged file is reported on
 * stderr and ignored: the run starts from the beginning and overwrites it.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../io/atomicWrite";
import type { RandomState } from "../linalg/random";

export const CHECKPOINT_FORMAT = "latent-bridge/training-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** Where and how often a run is checkpointed (`minibatchAdam`'s `checkpoint` option). */
export interface CheckpointOptions {
  /** The checkpoint file. */
  path: string;
  /** Identifies the run (spec, data, code version): a checkpoint with another key is not resumed. */
  key: string;
  /** Seconds between two saves (default $LATENT_BRIDGE_CHECKPOINT_SECONDS, else 120; 0 saves after every step). */
  everySeconds?: number;
}

/** A tensor's name, shape and float32 values. */
export interface SavedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Everything a run needs to continue after step `step` (steps counted over the whole run). */
export interface TrainingState {
  key: string;
  /** The epoch under way and how many of its batches are done. */
  epoch: number;
  batchesDone: number;
  step: number;
  /** That epoch's batches (item indices), as drawn at its start. */
  batches: Int32Array[];
  /** That epoch's sums so far, and its seconds so far. */
  sums: { loss: number; weight: number; hits: number; count: number; seconds: number };
  /** Per finished epoch, as `MinibatchHistory`. */
  history: { loss: number[]; accuracy: number[]; secondsPerEpoch: number[] };
  variables: SavedTensor[];
  adam: { iterations: number; accBeta1: number; accBeta2: number; firstMoments: SavedTensor[]; secondMoments: SavedTensor[] };
  rngs: RandomState[];
}

const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
function fromB64<T extends Float32Array | Int32Array>(s: string, make: (buf: ArrayBuffer) => T): T {
  const bytes = Buffer.from(s, "base64");
  const copy = new ArrayBuffer(bytes.length); // aligned, own buffer
  new Uint8Array(copy).set(bytes);
  return make(copy);
}
const tensorJson = (t: SavedTensor) => ({ name: t.name, shape: t.shape, values: b64(t.values) });
const tensorFrom = (j: { name: string; shape: number[]; values: string }): SavedTensor => ({
  name: j.name, shape: j.shape, values: fromB64(j.values, (b) => new Float32Array(b)),
});

/** Writes `state` to `path` atomically. */
export function saveTrainingState(path: string, state: TrainingState): void {
  const json = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...state,
    batches: state.batches.map(b64),
    variables: state.variables.map(tensorJson),
    adam: { ...state.adam, firstMoments: state.adam.firstMoments.map(tensorJson), secondMoments: state.adam.secondMoments.map(tensorJson) },
  };
  writeFileAtomic(path, JSON.stringify(json));
}

/**
 * The state saved at `path` for the run `key` whose variables have these shapes (in this order) and
 * which draws from `rngCount` generators, or undefined (no file; or one for another run, other
 * variables, or damaged — said on stderr).
 */
export function loadTrainingState(path: string, key: string, variables: readonly { shape: readonly number[] }[], rngCount: number): TrainingState | undefined {
  if (!existsSync(path)) return undefined;
  const ignore = (why: string): undefined => {
    process.stderr.write(`training checkpoint ${path} ${why}; starting from the beginning\n`);
    return undefined;
  };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    return ignore(`is not readable JSON (${(e as Error).message})`);
  }
  if (j.format !== CHECKPOINT_FORMAT || j.version !== CHECKPOINT_VERSION) return ignore(`is not a version-${CHECKPOINT_VERSION} training checkpoint`);
  if (j.key !== key) return ignore("belongs to another run (other spec, data or code)");
  try {
    const raw = j as unknown as Omit<TrainingState, "batches" | "variables" | "adam"> & {
      batches: string[]; variables: { name: string; shape: number[]; values: string }[];
      adam: Omit<TrainingState["adam"], "firstMoments" | "secondMoments"> & { firstMoments: { name: string; shape: number[]; values: string }[]; secondMoments: { name: string; shape: number[]; values: string }[] };
    };
    const state: TrainingState = {
      ...raw,
      batches: raw.batches.map((s) => fromB64(s, (b) => new Int32Array(b))),
      variables: raw.variables.map(tensorFrom),
      adam: { ...raw.adam, firstMoments: raw.adam.firstMoments.map(tensorFrom), secondMoments: raw.adam.secondMoments.map(tensorFrom) },
    };
    const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    const whole = (t: SavedTensor) => t.values.length === size(t.shape);
    const fits = state.variables.length === variables.length &&
      state.variables.every((t, i) => whole(t) && t.shape.length === variables[i].shape.length && t.shape.every((d, k) => d === variables[i].shape[k]));
    // (tfjs names variables per process, so shapes in order are what identifies them.)
    if (!fits) return ignore("holds other variables");
    // Adam creates its moments at the first step: none before it, one per variable after.
    const moments = [state.adam.firstMoments, state.adam.secondMoments].every((m) => (m.length === 0 || m.length === variables.length) && m.every(whole)) &&
      state.adam.firstMoments.length === state.adam.secondMoments.length;
    if (!Array.isArray(state.rngs) || state.rngs.length !== rngCount) return ignore(`holds ${Array.isArray(state.rngs) ? state.rngs.length : "no"} random generator states, the run draws from ${rngCount}`);
    const counts = [state.epoch, state.batchesDone, state.step, state.adam.iterations].every((n) => Number.isInteger(n) && n >= 0);
    if (!moments || !counts || state.batchesDone > state.batches.length) return ignore("is inconsistent");
    return state;
  } catch (e) {
    return ignore(`is damaged (${(e as Error).message})`);
  }
}

/** Removes the checkpoint of a finished run (no error when there is none). */
export function removeTrainingState(path: string): void {
  rmSync(path, { force: true });
}
