import { ShapeMismatchError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import { anchorStats } from "../relative/normalize";
import { assertCols, assertParallelAnchors, toMatrix, type MatrixInput } from "../validate";
import { requireFitted } from "./fitted";
import type { Translator, TranslatorDiagnostics } from "./translator";

/**
 * The "absolute" baseline: no translation at all, source vectors are used as if they were target
 * vectors. Only defined when both spaces have the same dimension.
 */
export class AbsoluteTranslator implements Translator {
  readonly method = "absolute" as const;
  private state?: TranslatorDiagnostics;

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const ax = toMatrix(anchorsX, "anchorsX");
    const ay = toMatrix(anchorsY, "anchorsY");
    assertParallelAnchors(ax, ay, 1);
    // The anchors play no part in the output, but anchors that are all equal are no anchors: the
    // same check as every other method (a lone anchor has no spread to check).
    if (ax.rows > 1) {
      anchorStats(ax, "anchorsX");
      anchorStats(ay, "anchorsY");
    }
    if (ax.cols !== ay.cols) {
      throw new ShapeMismatchError(
        "anchorsY",
        `the absolute baseline needs spaces of equal dimension, got source ${ax.cols} and target ${ay.cols}; use irp, procrustes, lstsq or affine`,
      );
    }
    this.state = {
      method: this.method, sourceDim: ax.cols, targetDim: ay.cols, anchors: ax.rows,
      fitSeconds: (performance.now() - t0) / 1000,
    };
    return this;
  }

  transform(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.sourceDim, "x", "the source dimension seen in fit");
    return xm.clone();
  }

  get diagnostics(): TranslatorDiagnostics {
    return requireFitted(this.state, this.method);
  }

  /** Everything `fit` computed: the dimensions (what `saveTranslator` writes, translate/persist.ts). */
  get fittedState(): TranslatorDiagnostics {
    return requireFitted(this.state, this.method);
  }

  /** The baseline in the state `fittedState` gave (`loadTranslator`). */
  static fromFittedState(state: TranslatorDiagnostics): AbsoluteTranslator {
    const t = new AbsoluteTranslator();
    t.state = state;
    return t;
  }
}
