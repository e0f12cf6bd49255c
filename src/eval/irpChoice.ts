/**
 * Beyond the paper: choosing IRP's (ω, δ) from the anchors alone — the one chooser every notebook,
 * study and the CLI use. A seeded share of the anchors is held out, IRP is fitted on the rest at
 * every (ω, δ) of a grid (`sensitivityGrid`, so a target's pruned subspaces and pseudo-inverses are
 * shared by all its sources), and the setting that reconstructs the held-out anchors best (mean
 * cosine in the target space; the first best in grid order: δ as given, ω ascending) wins. Needs no
 * data beyond the anchors themselves.
 *
 *   chooseIrpParameters({ anchorsX, anchorsY })   one pair: the choice and the grid it looked at
 *   chooseIrpIntoTarget(sources, target)          the same for several sources into one target, one grid
 *   chooseIrpPerPair(spaces)                      every ordered pair of spaces over the same anchors,
 *                                                 plus one setting for all of them (best mean)
 */
import { selectRows, type Matrix } from "../linalg/matrix";
import { Random } from "../linalg/random";
import { InvalidParameterError } from "../errors";
import type { ProgressMode } from "../engine/progress";
import { assertParallelAnchors, assertSeed, toMatrix, type MatrixInput, type PruneSide } from "../validate";
import { sensitivityGrid, type SensitivityRow } from "./sensitivity";
import { firstBest } from "./best";
import type { MatrixContentMemo } from "../linalg/contentMemo";

export interface IrpChoiceOptions {
  /** ω grid (default `DEFAULT_OMEGAS`: 1, 2, 4, 8, 16, 32). */
  omegas?: number[];
  /** δ grid (default `DEFAULT_DELTAS`: 0, 0.1, …, 0.9). */
  deltas?: number[];
  /** Share of the anchors held out, in (0, 1); default 0.2. */
  holdout?: number;
  /** Seeds the hold-out permutation and IRP's subspace draws; default 0. */
  seed?: number;
  /** Whose anchors are pruned (default IRP's, "target"). */
  prune?: PruneSide;
  /** Choose for an IRP variant (`ridge` λ or `whiten`, see `IrpOptions`) instead of plain IRP. */
  variant?: { ridge?: number; whiten?: boolean };
  /** A memo shared with other choices and fits over the same anchors (see `SensitivityOptions.memo`). */
  memo?: MatrixContentMemo;
  /** Progress bar label. */
  label?: string;
  /** false silences the progress bar (e.g. a CLI printing JSON); a mode forces one. Default "auto". */
  progress?: boolean | ProgressMode;
}

/** One cell of the grid the chooser looked at (for several pairs: means over the pairs). */
export type IrpChoiceCell = {
  omega: number;
  delta: number;
  /** Mean cosine of the held-out anchors' reconstruction in the target space. */
  score: number;
  /** Mean anchors kept per pruned subspace. */
  anchorsKept: number;
  /** Mean condition number of the pruned target anchors per subspace. */
  conditionNumber: number;
};

export interface ParameterChoice {
  omega: number;
  delta: number;
  /** Mean cosine of the held-out anchors' reconstruction at the chosen setting. */
  score: number;
  /** Every cell looked at, in grid order (δ as given, ω ascending). */
  table: IrpChoiceCell[];
  /** Anchors IRP was fitted on, and anchors held out to score it. */
  anchors: number;
  heldOut: number;
}

/** A type (not an interface) so that arrays of it are table rows for `showTable` / `saveTable`. */
export type PairChoice = {
  source: string;
  target: string;
  omega: number;
  delta: number;
  /** Mean cosine of the held-out anchors' reconstruction at (omega, delta). */
  score: number;
};

export interface IrpChoice {
  /** The choice for every ordered pair (source-major, in the spaces' order). */
  perPair: PairChoice[];
  /** One setting for all the spaces: the best mean held-out score over the pairs. */
  overall: { omega: number; delta: number; score: number };
  /** Per (ω, δ), means over the pairs. */
  table: IrpChoiceCell[];
  anchors: number;
  heldOut: number;
  seconds: number;
}

/** The anchors fitted on and held out: the first round(k·holdout) of a seeded permutation are held out. */
export function heldOutSplit(k: number, holdout: number, seed: number): { fit: Int32Array; test: Int32Array } {
  if (typeof holdout !== "number" || !(holdout > 0 && holdout < 1)) {
    throw new InvalidParameterError("holdout", `expected a share in (0, 1), got ${holdout}`);
  }
  const nTest = Math.max(1, Math.round(k * holdout));
  if (k - nTest < 2) throw new InvalidParameterError("holdout", `leaves ${k - nTest} anchors to fit on; need at least 2`);
  const order = new Random(seed).permutation(k);
  return { fit: order.subarray(nTest), test: order.subarray(0, nTest) };
}

function heldOutGrid(
  spaces: ReadonlyArray<{ name: string; anchors: Matrix }>, pairs: Array<[string, string]>, o: IrpChoiceOptions, label: string,
): { rows: SensitivityRow[]; anchors: number; heldOut: number } {
  const seed = assertSeed(o.seed ?? 0);
  const split = heldOutSplit(spaces[0].anchors.rows, o.holdout ?? 0.2, seed);
  const rows = sensitivityGrid({
    spaces: spaces.map((s) => ({ name: s.name, anchors: selectRows(s.anchors, split.fit), test: selectRows(s.anchors, split.test) })),
    omegas: o.omegas, deltas: o.deltas, seeds: [seed], pairs, prune: o.prune, variant: o.variant, memo: o.memo, label: o.label ?? label, progress: o.progress,
  });
  return { rows, anchors: split.fit.length, heldOut: split.test.length };
}

/** Means over the rows of each (ω, δ) cell, cells in order of first appearance. */
function cellMeans(rows: readonly SensitivityRow[]): IrpChoiceCell[] {
  const cells = new Map<string, { omega: number; delta: number; sum: number; kept: number; cond: number; n: number }>();
  for (const r of rows) {
    const key = `${r.omega}|${r.delta}`;
    const c = cells.get(key) ?? { omega: r.omega, delta: r.delta, sum: 0, kept: 0, cond: 0, n: 0 };
    c.sum += r.similarity;
    c.kept += r.anchorsKept;
    c.cond += r.conditionNumber;
    c.n++;
    cells.set(key, c);
  }
  return [...cells.values()].map((c) => ({ omega: c.omega, delta: c.delta, score: c.sum / c.n, anchorsKept: c.kept / c.n, conditionNumber: c.cond / c.n }));
}

/**
 * (ω, δ) for one pair of spaces from their anchors (the same k items, k × d_x and k × d_y), with the
 * grid it looked at (what `latent-bridge choose` prints).
 * @throws ShapeMismatchError / NonFiniteError naming anchorsX or anchorsY; InvalidParameterError for
 *   a bad grid, hold-out share or seed.
 */
export function chooseIrpParameters(options: { anchorsX: MatrixInput; anchorsY: MatrixInput } & IrpChoiceOptions): ParameterChoice {
  const ax = toMatrix(options.anchorsX, "anchorsX"), ay = toMatrix(options.anchorsY, "anchorsY");
  assertParallelAnchors(ax, ay, 3);
  return choicesIntoTarget([ax], ay, options)[0];
}

/**
 * `chooseIrpParameters` for several sources decoding into one target (each source's anchors the
 * same k items as the target's, in the same order): `result[i]` equals
 * `chooseIrpParameters({ anchorsX: sources[i], anchorsY: target, ...options })` bit for bit, from
 * ONE grid, so the target's held-out split, pruned subspaces and decoders are computed once instead
 * of once per source (a study choosing for every pair calls this once per target).
 * @throws ShapeMismatchError / NonFiniteError naming `sources[i]` or `target`; InvalidParameterError
 *   for an empty `sources`, a bad grid, hold-out share or seed.
 */
export function chooseIrpIntoTarget(sources: readonly MatrixInput[], target: MatrixInput, options: IrpChoiceOptions = {}): ParameterChoice[] {
  if (!Array.isArray(sources) || sources.length === 0) throw new InvalidParameterError("sources", "expected a non-empty array of anchor matrices");
  const ay = toMatrix(target, "target");
  const xs = sources.map((x, i) => {
    const ax = toMatrix(x, `sources[${i}]`);
    assertParallelAnchors(ax, ay, 3, `sources[${i}]`, "target");
    return ax;
  });
  return choicesIntoTarget(xs, ay, options);
}

function choicesIntoTarget(sources: readonly Matrix[], target: Matrix, options: IrpChoiceOptions): ParameterChoice[] {
  // Names the grid's errors carry: "source" for one pair (as always), "sources[i]" for several.
  const names = sources.length === 1 ? ["source"] : sources.map((_, i) => `sources[${i}]`);
  const grid = heldOutGrid(
    [...sources.map((anchors, i) => ({ name: names[i], anchors })), { name: "target", anchors: target }],
    names.map((name): [string, string] => [name, "target"]), options, "choosing ω, δ on anchors",
  );
  return names.map((name) => {
    // One pair's cells: means over its own rows (one per cell), as for a grid of that pair alone.
    const table = cellMeans(grid.rows.filter((r) => r.source === name));
    const best = firstBest(table, (c) => c.score);
    return { omega: best.omega, delta: best.delta, score: best.score, table, anchors: grid.anchors, heldOut: grid.heldOut };
  });
}

/**
 * `chooseIrpParameters` for every ordered pair of `spaces` (each the same anchor items, in the same
 * order) at once, in ONE grid, plus the setting with the best mean score over all pairs. Each pair's
 * choice equals `chooseIrpParameters` on that pair's anchors with the same options.
 */
export function chooseIrpPerPair(spaces: ReadonlyArray<{ name: string; anchors: Matrix }>, options: IrpChoiceOptions = {}): IrpChoice {
  const started = performance.now();
  if (!Array.isArray(spaces) || spaces.length < 2) throw new InvalidParameterError("spaces", "expected at least two spaces");
  const names = new Set(spaces.map((s) => s.name));
  if (names.size !== spaces.length) throw new InvalidParameterError("spaces", `space names must be distinct, got ${spaces.map((s) => s.name).join(", ")}`);
  const pairs: Array<[string, string]> = [];
  for (const a of spaces) for (const b of spaces) if (a !== b) pairs.push([a.name, b.name]);
  const grid = heldOutGrid(spaces, pairs, options, "choosing ω, δ on anchors");
  const perPair = pairs.map(([source, target]) => {
    const best = firstBest(grid.rows.filter((r) => r.source === source && r.target === target), (r) => r.similarity);
    return { source, target, omega: best.omega, delta: best.delta, score: best.similarity };
  });
  const table = cellMeans(grid.rows);
  const best = firstBest(table, (c) => c.score);
  return {
    perPair, overall: { omega: best.omega, delta: best.delta, score: best.score }, table,
    anchors: grid.anchors, heldOut: grid.heldOut, seconds: (performance.now() - started) / 1000,
  };
}
