/**
 * The paper's Table 1 (§4.1, "Language"): parallel texts in several languages, one encoder per
 * language trained on its own side only, one multilingual encoder; for every ordered language pair,
 * the cosine between a source-language encoding and the target-language encoding of the same item
 *
 *   absolute      the two per-language encodings compared directly (only where dimensions match),
 *   multilingual  the multilingual encoder's encodings of the two texts (XLM-R in the paper),
 *   irp           the source encoding translated by IRP into the target language's space,
 *
 * each beside its floor: the mean cosine of NON-parallel pairs (item i against item j ≠ i, over all
 * such pairs) in the same comparison, i.e. what the column reads when nothing item-specific survives.
 * IRP's anchors are parallel items of the TRAIN split; every cosine is measured on held-out parallel
 * items of the TEST split. IRP runs at a stated (ω, δ) and, beyond the paper, at the (ω, δ) that
 * `chooseIrpPerPair` picks from the anchors alone.
 *
 *   embedCrossLingual(...)          async: loads a parallel corpus, fits/loads the cached encoders,
 *                                   embeds anchor and test items (the only part that touches disk)
 *   crossLingualTable(...)          pure: the table rows from embedded spaces
 *   differentPairSimilarity(...)    pure: mean ± std cosine of non-parallel pairs per space (the
 *                                   paper's "0.93 ± 0.05 / 0.98 ± 0.03" statistic)
 *   crossLingualSummary(rows)       pure: mean ± std over language pairs, per corpus
 */
import { chooseIrpPerPair } from "../eval/irpChoice";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { Matrix, selectRows } from "../linalg/matrix";
import { matmulTransB } from "../linalg/product";
import { Random } from "../linalg/random";
import { normalizeRows } from "../relative/normalize";
import { InverseRelativeProjection, IRP_DEFAULTS } from "../translate/irp";
import { assertDelta, assertFinite, assertInteger, assertSeed } from "../validate";
import {
  cachedLanguageEncoder, cachedMultilingualEncoder, loadParallelCorpus, MULTILINGUAL_LANGUAGES,
  type ParallelCorpus, type ParallelCorpusName,
} from "../encoders/trained/multilingual";
import { isQuickMode } from "../config";

/** Written where a comparison cannot be made (Absolute across dimensions; no multilingual encodings). */
export const NOT_AVAILABLE = "n/a";
export type MaybeNumber = number | typeof NOT_AVAILABLE;

/** Embeddings of the same parallel items in every language (rows aligned across languages). */
export interface CrossLingualSpaces {
  corpus: string;
  languages: string[];
  /** Per-language encoder of language l: its embeddings of the anchor items' l texts and of the test items' l texts. */
  monolingual: Record<string, { anchors: Matrix; test: Matrix }>;
  /** The multilingual encoder's embeddings of the test items' l texts (one shared space); optional. */
  multilingual?: Record<string, Matrix>;
}

export interface CrossLingualRow {
  [key: string]: string | number;
  corpus: string;
  source: string;
  target: string;
  /** Held-out parallel test items compared. */
  n: number;
  /** Parallel anchor items (train split) IRP was fitted on. */
  anchors: number;
  /** Mean cosine of (source encoding i, target encoding i) in the per-language spaces; n/a if dims differ. */
  absolute: MaybeNumber;
  absoluteFloor: MaybeNumber;
  /** Mean cosine of the multilingual encoder's source-text and target-text embeddings of item i. */
  multilingual: MaybeNumber;
  multilingualFloor: MaybeNumber;
  /** Share of test items whose own target-text embedding is the nearest (cosine) among all test items. */
  multilingualTop1: MaybeNumber;
  /** Mean cosine of (IRP(source encoding i), target encoding i) at the stated (ω, δ). */
  irp: number;
  irpOmega: number;
  irpDelta: number;
  /** Mean anchors kept per pruned subspace at the stated setting. */
  irpAnchorsKept: number;
  irpTop1: number;
  /** The same at the (ω, δ) chosen on held-out anchors (beyond the paper). */
  irpChosen: number;
  irpChosenOmega: number;
  irpChosenDelta: number;
  irpChosenTop1: number;
  /** IRP's floor: mean cosine of (IRP(source encoding i), target encoding j), over all j ≠ i (stated setting). */
  randomPairFloor: number;
}

/** Parallel vs non-parallel cosines between two row-aligned matrices of the same width. */
export interface PairSimilarity {
  /** Mean cosine of (a_i, b_i). */
  parallel: number;
  /** Mean and population std of the cosine of (a_i, b_j) over all i ≠ j. */
  floor: number;
  floorStd: number;
  /** Share of i whose b_i is strictly the most similar b to a_i (ties count against). */
  top1: number;
  n: number;
}

const BLOCK_ROWS = 512;

/**
 * Parallel-pair and all-non-parallel-pair cosines between a and b (n×d each, rows are the same
 * items). Deterministic (every i ≠ j pair, no sampling); memory is bounded by blocks of 512 rows.
 * @throws ShapeMismatchError if the shapes differ; InvalidParameterError if n < 2; ZeroNormError for a zero row.
 */
export function pairSimilarity(a: Matrix, b: Matrix, names: [string, string] = ["a", "b"]): PairSimilarity {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeMismatchError(names[1], `expected ${a.rows}×${a.cols} like ${names[0]}, got ${b.rows}×${b.cols}`);
  }
  const n = a.rows;
  if (n < 2) throw new InvalidParameterError(names[0], `need at least two items to compare non-parallel pairs, got ${n}`);
  assertFinite(a, names[0]);
  assertFinite(b, names[1]);
  const ua = normalizeRows(a, names[0]), ub = normalizeRows(b, names[1]);
  const d = a.cols;
  let par = 0, off = 0, offSq = 0, hits = 0;
  for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + BLOCK_ROWS);
    const sims = matmulTransB(Matrix.fromFlat(r1 - r0, d, ua.data.subarray(r0 * d, r1 * d)), ub).data;
    for (let i = r0; i < r1; i++) {
      const row = (i - r0) * n;
      const own = sims[row + i];
      par += own;
      let best = -Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const s = sims[row + j];
        off += s;
        offSq += s * s;
        if (s > best) best = s;
      }
      if (own > best) hits++;
    }
  }
  const pairs = n * (n - 1);
  const floor = off / pairs;
  return { parallel: par / n, floor, floorStd: Math.sqrt(Math.max(0, offSq / pairs - floor * floor)), top1: hits / n, n };
}

function checkSpaces(spaces: CrossLingualSpaces): void {
  const { languages, monolingual } = spaces;
  if (!Array.isArray(languages) || languages.length < 2) {
    throw new InvalidParameterError("spaces.languages", `expected at least two languages, got ${JSON.stringify(languages)}`);
  }
  if (new Set(languages).size !== languages.length) throw new InvalidParameterError("spaces.languages", `duplicate language in ${languages.join(", ")}`);
  const first = monolingual[languages[0]];
  for (const l of languages) {
    const m = monolingual[l];
    if (!m) throw new InvalidParameterError("spaces.monolingual", `no embeddings for language ${JSON.stringify(l)}`);
    if (m.anchors.rows !== first.anchors.rows || m.test.rows !== first.test.rows) {
      throw new ShapeMismatchError(
        `spaces.monolingual.${l}`,
        `has ${m.anchors.rows} anchors and ${m.test.rows} test items, ${languages[0]} has ${first.anchors.rows} and ${first.test.rows}: every language must embed the same items`,
      );
    }
    if (m.anchors.cols !== m.test.cols) throw new ShapeMismatchError(`spaces.monolingual.${l}.test`, `expected ${m.anchors.cols} columns like its anchors, got ${m.test.cols}`);
    const ml = spaces.multilingual?.[l];
    if (spaces.multilingual && !ml) throw new InvalidParameterError("spaces.multilingual", `no multilingual embeddings for language ${JSON.stringify(l)}`);
    if (ml && ml.rows !== first.test.rows) throw new ShapeMismatchError(`spaces.multilingual.${l}`, `expected ${first.test.rows} rows (the test items), got ${ml.rows}`);
    if (ml && ml.cols !== spaces.multilingual![languages[0]].cols) throw new ShapeMismatchError(`spaces.multilingual.${l}`, `the multilingual space must have one width across languages`);
  }
}

export interface CrossLingualTableOptions {
  spaces: CrossLingualSpaces;
  /** The stated IRP setting (default the library's: ω = 16, δ = 0.8). */
  omega?: number;
  delta?: number;
  seed?: number;
  /** The grid `chooseIrpPerPair` searches on held-out anchors (default ω ∈ {1, 4, 16}, δ ∈ {0, 0.2, 0.4, 0.6, 0.8, 0.9}). */
  omegas?: number[];
  deltas?: number[];
  /** Share of anchors the chooser holds out (default 0.2). */
  holdout?: number;
  /** Called after each language pair (e.g. a progress line). */
  onPair?: (row: CrossLingualRow) => void;
}

export const DEFAULT_CHOICE_OMEGAS = [1, 4, 16];
export const DEFAULT_CHOICE_DELTAS = [0, 0.2, 0.4, 0.6, 0.8, 0.9];

/** Table 1's rows: every ordered pair of different languages of `spaces` (see the module comment). */
export function crossLingualTable(options: CrossLingualTableOptions): CrossLingualRow[] {
  const { spaces } = options;
  checkSpaces(spaces);
  const omega = options.omega ?? IRP_DEFAULTS.omega, delta = options.delta ?? IRP_DEFAULTS.delta, seed = options.seed ?? IRP_DEFAULTS.seed;
  assertInteger(omega, "omega", 1);
  assertDelta(delta);
  assertSeed(seed);
  const omegas = options.omegas ?? DEFAULT_CHOICE_OMEGAS, deltas = options.deltas ?? DEFAULT_CHOICE_DELTAS;
  // Every ordered language pair's (ω, δ) from the anchors alone, in one grid (the anchors are the same items in every language).
  const choices = chooseIrpPerPair(spaces.languages.map((l) => ({ name: l, anchors: spaces.monolingual[l].anchors })), { omegas, deltas, seed, holdout: options.holdout });
  const rows: CrossLingualRow[] = [];
  for (const s of spaces.languages) for (const t of spaces.languages) {
    if (s === t) continue;
    const x = spaces.monolingual[s], y = spaces.monolingual[t];
    const abs = x.test.cols === y.test.cols ? pairSimilarity(x.test, y.test, [`${s}.test`, `${t}.test`]) : undefined;
    const ml = spaces.multilingual ? pairSimilarity(spaces.multilingual[s], spaces.multilingual[t], [`multilingual.${s}`, `multilingual.${t}`]) : undefined;
    const stated = new InverseRelativeProjection({ omega, delta, seed }).fit(x.anchors, y.anchors);
    const irp = pairSimilarity(stated.transform(x.test), y.test, [`irp(${s}→${t})`, `${t}.test`]);
    const choice = choices.perPair.find((p) => p.source === s && p.target === t)!;
    const chosenIrp = new InverseRelativeProjection({ omega: choice.omega, delta: choice.delta, seed }).fit(x.anchors, y.anchors);
    const chosen = pairSimilarity(chosenIrp.transform(x.test), y.test, [`irp(${s}→${t})`, `${t}.test`]);
    const row: CrossLingualRow = {
      corpus: spaces.corpus, source: s, target: t, n: x.test.rows, anchors: x.anchors.rows,
      absolute: abs ? abs.parallel : NOT_AVAILABLE,
      absoluteFloor: abs ? abs.floor : NOT_AVAILABLE,
      multilingual: ml ? ml.parallel : NOT_AVAILABLE,
      multilingualFloor: ml ? ml.floor : NOT_AVAILABLE,
      multilingualTop1: ml ? ml.top1 : NOT_AVAILABLE,
      irp: irp.parallel, irpOmega: omega, irpDelta: delta, irpAnchorsKept: stated.diagnostics.meanAnchorsKept, irpTop1: irp.top1,
      irpChosen: chosen.parallel, irpChosenOmega: choice.omega, irpChosenDelta: choice.delta, irpChosenTop1: chosen.top1,
      randomPairFloor: irp.floor,
    };
    rows.push(row);
    options.onPair?.(row);
  }
  return rows;
}

export interface DifferentPairRow {
  [key: string]: string | number;
  corpus: string;
  /** "absolute" (per-language encoders, across languages) or "multilingual". */
  space: string;
  /** Mean and std of the cosine between embeddings of DIFFERENT items, pooled over every ordered language pair. */
  mean: number;
  std: number;
  /** The same for embeddings of the SAME item (parallel texts), for reference. */
  parallelMean: number;
  pairs: number;
}

/**
 * The paper's side remark (§4.1): "mean similarity between all possible different pairs of
 * different embeddings in the absolute and XLM-R space: 0.93 ± 0.05 and 0.98 ± 0.03". Read here as
 * the cosine between embeddings of different items (x_i in language s, x_j in language t, i ≠ j),
 * pooled over all ordered language pairs s ≠ t: per-language encoders (where dims match) and the
 * multilingual encoder. High values mean an anisotropic space (a large shared mean direction).
 */
export function differentPairSimilarity(spaces: CrossLingualSpaces): DifferentPairRow[] {
  checkSpaces(spaces);
  const out: DifferentPairRow[] = [];
  const pooled = (space: string, get: (l: string) => Matrix) => {
    let sum = 0, sumSq = 0, par = 0, count = 0, pairs = 0;
    for (const s of spaces.languages) for (const t of spaces.languages) {
      if (s === t || get(s).cols !== get(t).cols) continue;
      const p = pairSimilarity(get(s), get(t), [`${space}.${s}`, `${space}.${t}`]);
      sum += p.floor;
      sumSq += p.floorStd * p.floorStd + p.floor * p.floor;
      par += p.parallel;
      count++;
      pairs += p.n * (p.n - 1);
    }
    if (count === 0) return;
    const mean = sum / count;
    out.push({ corpus: spaces.corpus, space, mean, std: Math.sqrt(Math.max(0, sumSq / count - mean * mean)), parallelMean: par / count, pairs });
  };
  pooled("absolute", (l) => spaces.monolingual[l].test);
  if (spaces.multilingual) pooled("multilingual", (l) => spaces.multilingual![l]);
  return out;
}

export const SUMMARY_COLUMNS = [
  "absolute", "absoluteFloor", "multilingual", "multilingualFloor", "irp", "randomPairFloor", "irpChosen", "irpTop1", "irpChosenTop1", "multilingualTop1",
] as const;

export interface CrossLingualSummaryRow {
  [key: string]: string | number;
  corpus: string;
  column: string;
  /** Mean and std over the ordered language pairs (n/a columns skipped). */
  mean: MaybeNumber;
  std: MaybeNumber;
  min: MaybeNumber;
  max: MaybeNumber;
  pairs: number;
}

/** Mean, std, min and max over language pairs of each score column, per corpus. */
export function crossLingualSummary(rows: readonly CrossLingualRow[], columns: readonly string[] = SUMMARY_COLUMNS): CrossLingualSummaryRow[] {
  const corpora = [...new Set(rows.map((r) => r.corpus))];
  const out: CrossLingualSummaryRow[] = [];
  for (const corpus of corpora) {
    const mine = rows.filter((r) => r.corpus === corpus);
    for (const column of columns) {
      const v = mine.map((r) => r[column]).filter((x): x is number => typeof x === "number");
      if (v.length === 0) {
        out.push({ corpus, column, mean: NOT_AVAILABLE, std: NOT_AVAILABLE, min: NOT_AVAILABLE, max: NOT_AVAILABLE, pairs: 0 });
        continue;
      }
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      out.push({ corpus, column, mean, std, min: Math.min(...v), max: Math.max(...v), pairs: v.length });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Data: a parallel corpus, its cached encoders, the anchor and test items embedded

export interface EmbedCrossLingualOptions {
  corpus: ParallelCorpusName;
  /** Languages compared (a subset of en, es, fr, ja; default all four). */
  languages?: readonly string[];
  /** At most this many anchor items, drawn (seeded) from the TRAIN split. */
  anchors: number;
  /** At most this many held-out items, drawn (seeded) from the TEST split; default all. */
  test?: number;
  seed?: number;
  /** Encoder training size: quick fits on the first QUICK_PARALLEL_TRAIN_SIZE (5,000) train items (default isQuickMode()). */
  quick?: boolean;
}

export interface EmbeddedCrossLingual extends CrossLingualSpaces {
  multilingual: Record<string, Matrix>;
  encoders: { monolingual: Record<string, string>; multilingual: string };
  /** Items of the splits, and train items the encoders were fitted on (the multilingual encoder's documents). */
  trainSize: number;
  testSize: number;
  encoderTrainSize: number;
  /** Items drawn, and how many were dropped because some encoder embedded a text to the zero vector (no known term). */
  drawn: { anchors: number; test: number };
  dropped: { anchors: number; test: number };
  /** Corpus ids of the anchor and test items kept (row order). */
  anchorIds: string[];
  testIds: string[];
}

function isZeroRow(m: Matrix, i: number): boolean {
  const d = m.cols;
  for (let j = 0; j < d; j++) if (m.data[i * d + j] !== 0) return false;
  return true;
}

function pick(corpus: ParallelCorpus, indices: Int32Array, languages: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(languages.map((l) => [l, Array.from(indices, (i) => corpus.texts[l][i])]));
}

/**
 * Loads a parallel corpus (all four languages, so the encoder caches are shared with every other
 * user), fits or loads its per-language and multilingual encoders (trained on the TRAIN split, see
 * encoders/trained/multilingual.ts), draws anchor items from the train split and test items from
 * the test split (seeded), embeds them, and drops items some encoder maps to the zero vector.
 */
export async function embedCrossLingual(options: EmbedCrossLingualOptions): Promise<EmbeddedCrossLingual> {
  const languages = [...(options.languages ?? MULTILINGUAL_LANGUAGES)];
  for (const l of languages) {
    if (!MULTILINGUAL_LANGUAGES.includes(l)) throw new InvalidParameterError("languages", `expected languages among ${MULTILINGUAL_LANGUAGES.join(", ")}, got ${JSON.stringify(l)}`);
  }
  if (languages.length < 2 || new Set(languages).size !== languages.length) {
    throw new InvalidParameterError("languages", `expected at least two distinct languages, got ${JSON.stringify(languages)}`);
  }
  assertInteger(options.anchors, "anchors", 2);
  if (options.test !== undefined) assertInteger(options.test, "test", 2);
  const seed = options.seed ?? 0;
  const quick = options.quick ?? isQuickMode();
  const train = loadParallelCorpus(options.corpus, { split: "train" });
  const test = loadParallelCorpus(options.corpus, { split: "test" });
  const rng = new Random(seed);
  const anchorIdx = rng.sample(train.ids.length, Math.min(options.anchors, train.ids.length));
  const testIdx = rng.sample(test.ids.length, Math.min(options.test ?? test.ids.length, test.ids.length));
  const anchorTexts = pick(train, anchorIdx, languages), testTexts = pick(test, testIdx, languages);

  const encoderOptions = { quick, train };
  const multi = await cachedMultilingualEncoder(options.corpus, encoderOptions);
  const rawMono: Record<string, { anchors: Matrix; test: Matrix }> = {};
  const rawMulti: Record<string, Matrix> = {};
  const monoIds: Record<string, string> = {};
  for (const l of languages) {
    const enc = await cachedLanguageEncoder(options.corpus, l, encoderOptions);
    monoIds[l] = enc.id;
    rawMono[l] = { anchors: await enc.embed(anchorTexts[l]), test: await enc.embed(testTexts[l]) };
    rawMulti[l] = await multi.embed(testTexts[l], l);
  }
  const keepAnchors: number[] = [], keepTest: number[] = [];
  for (let i = 0; i < anchorIdx.length; i++) if (!languages.some((l) => isZeroRow(rawMono[l].anchors, i))) keepAnchors.push(i);
  for (let i = 0; i < testIdx.length; i++) {
    if (!languages.some((l) => isZeroRow(rawMono[l].test, i) || isZeroRow(rawMulti[l], i))) keepTest.push(i);
  }
  if (keepAnchors.length < 2 || keepTest.length < 2) {
    throw new InvalidParameterError("anchors", `only ${keepAnchors.length} anchor and ${keepTest.length} test items have a non-zero embedding in every space; draw more`);
  }
  const monolingual: Record<string, { anchors: Matrix; test: Matrix }> = {};
  const multilingual: Record<string, Matrix> = {};
  for (const l of languages) {
    monolingual[l] = { anchors: selectRows(rawMono[l].anchors, keepAnchors), test: selectRows(rawMono[l].test, keepTest) };
    multilingual[l] = selectRows(rawMulti[l], keepTest);
  }
  return {
    corpus: options.corpus, languages, monolingual, multilingual,
    encoders: { monolingual: monoIds, multilingual: multi.toString() },
    trainSize: train.ids.length, testSize: test.ids.length,
    encoderTrainSize: multi.info.documents,
    drawn: { anchors: anchorIdx.length, test: testIdx.length },
    dropped: { anchors: anchorIdx.length - keepAnchors.length, test: testIdx.length - keepTest.length },
    anchorIds: keepAnchors.map((i) => train.ids[anchorIdx[i]]),
    testIds: keepTest.map((i) => test.ids[testIdx[i]]),
  };
}
