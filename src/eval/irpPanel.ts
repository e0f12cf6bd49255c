/**
 * The methods of the "when does IRP work" study as one `evaluatePanel` method list:
 *
 *   irp-paper     IRP at the paper's Fig. 7 setting (ω = 16, δ = 0.8)
 *   irp-chosen    IRP at the (ω, δ) chosen on the pair's anchors (`chooseIrpParameters`)
 *   irp-ridge     the ridge-regularised inverse, (λ, ω, δ) chosen jointly on the same held-out anchors
 *                 (λ from `ridges`; λ = 0, plain IRP at irp-chosen's setting, is a candidate)
 *   irp-whitened  the whitened relative space at its own anchor-chosen (ω, δ)
 *   irp-polar     the orthogonalised collapsed map at irp-chosen's (ω, δ)
 *   procrustes, lstsq, affine    the direct maps fitted on the anchors
 *   relative      the target's relative-representation head (Moschella et al.), no translation
 *
 * Every choice reads only the anchors of the pair and seed at hand (a held-out share of them), never
 * a test item. Choices are made once per (source, target, seed) and shared by the methods that use
 * them (in one grid for all sources into the same target, `chooseIrpIntoTarget`); with `diagnose`, the anchor-only gap prediction (`irpGapDiagnostic`) is recorded per pair and
 * seed from the same choice.
 */
import { InvalidParameterError } from "../errors";
import { IRP_DEFAULTS, InverseRelativeProjection, type IrpOptions } from "../translate/irp";
import { MatrixContentMemo, STUDY_MEMO_BYTES } from "../linalg/contentMemo";
import { LeastSquaresTranslator } from "../translate/leastSquares";
import { ProcrustesTranslator } from "../translate/procrustes";
import type { Translator } from "../translate/translator";
import type { Matrix } from "../linalg/matrix";
import { chooseIrpIntoTarget, type ParameterChoice } from "./irpChoice";
import { irpGapDiagnostic, type IrpGapDiagnostic } from "./irpDiagnostic";
import type { PairContext } from "./stitching/protocol";
import type { PanelMethod } from "./stitching/panel";

export const IRP_PANEL_METHODS = [
  "irp-paper", "irp-chosen", "irp-ridge", "irp-whitened", "irp-polar", "procrustes", "lstsq", "affine", "relative",
] as const;
export type IrpPanelMethod = (typeof IRP_PANEL_METHODS)[number];

export interface IrpPanelOptions {
  /** The chooser's grid. */
  omegas: number[];
  deltas: number[];
  /** λ candidates of irp-ridge (0 is always a candidate). Default `DEFAULT_RIDGES`. */
  ridges?: number[];
  /** Share of the anchors held out by every choice (default 0.2). */
  holdout?: number;
  /** Procrustes (default `new ProcrustesTranslator()`). */
  procrustes?: () => Translator;
  /** Default all of `IRP_PANEL_METHODS`, in that order. */
  methods?: readonly IrpPanelMethod[];
  /** Record `irpGapDiagnostic` per pair and seed. Default false. */
  diagnose?: boolean;
  /**
   * The ordered pairs the panel will translate (give `evaluatePanel` the same `pairs`): choices are
   * made for all sources into a target at once, and this keeps unwanted sources out. Default all.
   */
  pairs?: (source: string, target: string) => boolean;
  /** The memo of the panel's choices, fits and diagnostics (default a new `MatrixContentMemo` of `STUDY_MEMO_BYTES`); pass the one `procrustes` uses to share it. */
  memo?: MatrixContentMemo;
}

export type PairDiagnosticRow = IrpGapDiagnostic & { dataset: string; seed: number; source: string; target: string };

interface PairChoices {
  plain: ParameterChoice;
  ridge?: { lambda: number; omega: number; delta: number; score: number };
  whitened?: ParameterChoice;
}

/** λ on the unit anchors' Gram matrix, whose eigenvalues average k_s / rank: from barely regularised to the cross-covariance limit. */
export const DEFAULT_RIDGES = [0.01, 0.1, 1, 10, 100];

/**
 * How much higher (relative to its magnitude) a candidate λ's held-out score must be to replace the
 * best so far. Near the cross-covariance limit a ridge's map and plain IRP's can score within the
 * rounding of two decompositions of each other (seen: 1e-15 apart, then the other way round once
 * plain IRP's pseudo-inverse came from the Gram matrix); a regulariser is chosen for a real gain,
 * never for rounding noise.
 */
export const RIDGE_CHOICE_MARGIN = 1e-9;

export interface RidgeCandidate { lambda: number; omega: number; delta: number; score: number }

/** The ridge variant's choice: plain IRP (λ = 0) unless a λ of `candidates` (in order) beats the best so far by more than RIDGE_CHOICE_MARGIN. */
export function pickRidge(plain: { omega: number; delta: number; score: number }, candidates: readonly RidgeCandidate[]): RidgeCandidate {
  let best: RidgeCandidate = { lambda: 0, omega: plain.omega, delta: plain.delta, score: plain.score };
  for (const c of candidates) {
    if (c.score - best.score > RIDGE_CHOICE_MARGIN * Math.max(Math.abs(best.score), Number.MIN_VALUE)) best = c;
  }
  return best;
}

/** The panel's methods and the diagnostics they recorded (filled while `evaluatePanel` runs). */
export function irpPanel(o: IrpPanelOptions): { methods: PanelMethod[]; diagnostics: PairDiagnosticRow[] } {
  const methods = o.methods ?? IRP_PANEL_METHODS;
  methods.forEach((m, i) => {
    if (!IRP_PANEL_METHODS.includes(m)) throw new InvalidParameterError(`methods[${i}]`, `unknown method ${JSON.stringify(m)}; expected one of ${IRP_PANEL_METHODS.join(", ")}`);
  });
  const ridges = o.ridges ?? DEFAULT_RIDGES;
  const holdout = o.holdout ?? 0.2;
  const procrustes = o.procrustes ?? (() => new ProcrustesTranslator());
  const chosen = new Map<string, PairChoices>();
  // What is computed from one side's anchors alone, once: IRP's target sides (subspaces and decoders,
  // shared by every source and method at one setting, and by the diagnostic's folds) and the
  // subspaces' SVDs that the ridge path's λs and the whitened choice filter.
  const memo = o.memo ?? new MatrixContentMemo(STUDY_MEMO_BYTES);
  const diagnosed = new Set<string>();
  const diagnostics: PairDiagnosticRow[] = [];
  const anchors = (p: PairContext): { ax: Matrix; ay: Matrix } => ({ ax: p.anchorsOf(p.source.name), ay: p.anchorsOf(p.target.name) });
  const keyOf = (p: PairContext, source = p.source.name) => `${p.data.dataset}\u0000${source}\u0000${p.target.name}\u0000${p.seed}`;
  // Every choice is made for all sources into the pair's target at once (`chooseIrpIntoTarget`: one
  // grid, the target's subspaces and decoders computed once), each equal to the pair's own choice.
  const wanted = o.pairs ?? (() => true);
  const batchSources = (p: PairContext) =>
    p.data.encoders.map((e) => e.name).filter((name) => name !== p.target.name && (name === p.source.name || wanted(name, p.target.name)));
  const intoTarget = (p: PairContext, variant?: { ridge?: number; whiten?: boolean }): Array<[string, ParameterChoice]> => {
    const sources = batchSources(p);
    const made = chooseIrpIntoTarget(sources.map((name) => p.anchorsOf(name)), p.anchorsOf(p.target.name), {
      omegas: o.omegas, deltas: o.deltas, holdout, seed: p.seed, variant, memo, progress: false,
    });
    return sources.map((name, i) => [keyOf(p, name), made[i]]);
  };
  const choices = (p: PairContext): PairChoices => {
    const key = keyOf(p);
    if (!chosen.has(key)) for (const [k, plain] of intoTarget(p)) if (!chosen.has(k)) chosen.set(k, { plain });
    const c = chosen.get(key)!;
    if (o.diagnose && !diagnosed.has(key)) {
      diagnosed.add(key);
      const { ax, ay } = anchors(p);
      const d = irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, omegas: o.omegas, deltas: o.deltas, holdout, seed: p.seed, choice: c.plain, procrustes, memo });
      diagnostics.push({ dataset: p.data.dataset, seed: p.seed, source: p.source.name, target: p.target.name, ...d });
    }
    return c;
  };
  const ridgeChoice = (p: PairContext) => {
    const c = choices(p);
    if (!c.ridge) {
      const perLambda = ridges.map((lambda) => ({ lambda, made: new Map(intoTarget(p, { ridge: lambda })) }));
      for (const name of batchSources(p)) {
        const k = keyOf(p, name), pair = chosen.get(k)!;
        pair.ridge ??= pickRidge(pair.plain, perLambda.map(({ lambda, made }) => {
          const r = made.get(k)!;
          return { lambda, omega: r.omega, delta: r.delta, score: r.score };
        }));
      }
    }
    return c.ridge as RidgeCandidate;
  };
  const whitenedChoice = (p: PairContext) => {
    const c = choices(p);
    if (!c.whitened) {
      for (const [k, whitened] of intoTarget(p, { whiten: true })) {
        const pair = chosen.get(k)!;
        pair.whitened ??= whitened;
      }
    }
    return c.whitened as ParameterChoice;
  };
  const irp = (p: PairContext, options: IrpOptions) => {
    const { ax, ay } = anchors(p);
    return new InverseRelativeProjection({ ...options, seed: p.seed, memo }).fit(ax, ay).transform(p.source.test);
  };
  const fitted = (p: PairContext, t: Translator) => {
    const { ax, ay } = anchors(p);
    return t.fit(ax, ay).transform(p.source.test);
  };
  const make: Record<IrpPanelMethod, PanelMethod> = {
    "irp-paper": {
      name: "irp-paper",
      translate: (p) => ({ translated: irp(p, { omega: IRP_DEFAULTS.omega, delta: IRP_DEFAULTS.delta }), setting: `ω=${IRP_DEFAULTS.omega} δ=${IRP_DEFAULTS.delta}` }),
    },
    "irp-chosen": {
      name: "irp-chosen",
      translate: (p) => {
        const c = choices(p).plain;
        return { translated: irp(p, { omega: c.omega, delta: c.delta }), setting: `ω=${c.omega} δ=${c.delta}` };
      },
    },
    "irp-ridge": {
      name: "irp-ridge",
      translate: (p) => {
        const r = ridgeChoice(p);
        return { translated: irp(p, { omega: r.omega, delta: r.delta, ridge: r.lambda }), setting: `ω=${r.omega} δ=${r.delta} λ=${r.lambda}` };
      },
    },
    "irp-whitened": {
      name: "irp-whitened",
      translate: (p) => {
        const c = whitenedChoice(p);
        return { translated: irp(p, { omega: c.omega, delta: c.delta, whiten: true }), setting: `ω=${c.omega} δ=${c.delta}` };
      },
    },
    "irp-polar": {
      name: "irp-polar",
      translate: (p) => {
        const c = choices(p).plain;
        return { translated: irp(p, { omega: c.omega, delta: c.delta, orthogonalize: true }), setting: `ω=${c.omega} δ=${c.delta}` };
      },
    },
    procrustes: { name: "procrustes", translate: (p) => ({ translated: fitted(p, procrustes()) }) },
    lstsq: { name: "lstsq", translate: (p) => ({ translated: fitted(p, new LeastSquaresTranslator({ memo })) }) },
    affine: { name: "affine", translate: (p) => ({ translated: fitted(p, new LeastSquaresTranslator({ affine: true, memo })) }) },
    relative: { name: "relative", relativeHead: true, translate: (p) => ({ translated: p.relativeTestOf(p.source.name), head: "relative" }) },
  };
  // With `diagnose`, every pair gets its diagnostic whichever methods run (the first call makes it).
  const withDiagnostic = (m: PanelMethod): PanelMethod => (o.diagnose ? { ...m, translate: (p) => (choices(p), m.translate(p)) } : m);
  return { methods: methods.map((m) => withDiagnostic(make[m])), diagnostics };
}
