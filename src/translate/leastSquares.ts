import { Matrix } from "../linalg/matrix";
import { matmul } from "../linalg/product";
import { lstsq } from "../linalg/lstsq";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import { InvalidParameterError } from "../errors";
import { anchorStats } from "../relative/normalize";
import {
  assertCols, assertFiniteResult, assertMemo, assertParallelAnchors, assertRcond, checkOptions, toMatrix, type MatrixInput,
} from "../validate";
import { requireFitted } from "./fitted";
import type { Translator, TranslatorDiagnostics } from "./translator";

export interface LeastSquaresOptions {
  /** Relative singular-value cut-off of the pseudo-inverse; default numpy's max(m, n)·eps. */
  rcond?: number;
  /**
   * A memo shared with other fits (`new MatrixContentMemo()`): the design's pseudo-inverse depends on
   * the source anchors alone, so fits of one source into several targets compute it once. The
   * weights are the same bit for bit. Not saved with a model.
   */
  memo?: MatrixContentMemo;
}

interface LeastSquaresState {
  /** (d_x [+1]) × d_y solution. */
  weights: Matrix;
  diagnostics: TranslatorDiagnostics;
}

/**
 * Least-squares translation (Maiorca et al. 2023): the minimum-norm W with anchorsX·W ≈ anchorsY
 * ("lstsq", linear through the origin) or [anchorsX 1]·W ≈ anchorsY ("affine", with a bias row).
 */
export class LeastSquaresTranslator implements Translator {
  readonly method: "lstsq" | "affine";
  readonly rcond: number | undefined;
  private readonly memo?: MatrixContentMemo;
  private state?: LeastSquaresState;

  constructor(options?: LeastSquaresOptions & { affine?: boolean }) {
    const o = checkOptions(options, ["rcond", "affine", "memo"]);
    if (o.affine !== undefined && typeof o.affine !== "boolean") {
      throw new InvalidParameterError("affine", `expected true or false, got ${JSON.stringify(o.affine)}`);
    }
    this.method = o.affine ? "affine" : "lstsq";
    this.rcond = assertRcond(o.rcond);
    this.memo = assertMemo(o.memo);
  }

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const ax = toMatrix(anchorsX, "anchorsX");
    const ay = toMatrix(anchorsY, "anchorsY");
    assertParallelAnchors(ax, ay, 2);
    // Anchors that do not spread (all equal up to rounding) determine no map: refused, as by every method.
    anchorStats(ax, "anchorsX");
    anchorStats(ay, "anchorsY");
    const design = this.method === "affine" ? withBias(ax) : ax;
    const { solution, rank, cond } = lstsq(design, ay, { rcond: this.rcond, memo: this.memo });
    this.state = {
      weights: solution,
      diagnostics: {
        method: this.method, sourceDim: ax.cols, targetDim: ay.cols, anchors: ax.rows, rank,
        conditionNumber: cond, fitSeconds: (performance.now() - t0) / 1000,
      },
    };
    return this;
  }

  transform(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    const d = s.diagnostics.sourceDim;
    assertCols(xm, d, "x", "the source dimension seen in fit");
    return assertFiniteResult(matmul(this.method === "affine" ? withBias(xm) : xm, s.weights), "x", "the translation of x");
  }

  get weights(): Matrix {
    return requireFitted(this.state, this.method).weights;
  }

  get diagnostics(): TranslatorDiagnostics {
    return requireFitted(this.state, this.method).diagnostics;
  }

  /** Everything `fit` computed (what `saveTranslator` writes, translate/persist.ts). */
  get fittedState(): LeastSquaresFittedState {
    return requireFitted(this.state, this.method);
  }

  /** An estimator with these options in the state `fittedState` gave (`loadTranslator`): no refit, the same transform bit for bit. */
  static fromFittedState(options: (LeastSquaresOptions & { affine?: boolean }) | undefined, state: LeastSquaresFittedState): LeastSquaresTranslator {
    const t = new LeastSquaresTranslator(options);
    t.state = state;
    return t;
  }
}

/** The state a LeastSquaresTranslator's `fit` computes. */
export type LeastSquaresFittedState = LeastSquaresState;

function withBias(x: Matrix): Matrix {
  const out = new Matrix(x.rows, x.cols + 1);
  for (let i = 0; i < x.rows; i++) {
    out.data.set(x.row(i), i * (x.cols + 1));
    out.data[i * (x.cols + 1) + x.cols] = 1;
  }
  return out;
}
