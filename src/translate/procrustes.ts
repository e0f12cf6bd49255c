import { Matrix } from "../linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../linalg/product";
import { svd } from "../linalg/svd";
import { anchorStats, centerAndScale, unscaleInPlace, type SpaceStats } from "../relative/normalize";
import { assertCols, assertParallelAnchors, toMatrix, type MatrixInput } from "../validate";
import { requireFitted } from "./fitted";
import type { Translator, TranslatorDiagnostics } from "./translator";

interface ProcrustesState {
  source: SpaceStats;
  target: SpaceStats;
  /**
   * d_x×d_y block of the D×D orthogonal map on zero-padded vectors (D = max(d_x, d_y)) — the only
   * block a padded source row meets and the only columns the target keeps.
   */
  rotation: Matrix;
  diagnostics: TranslatorDiagnostics;
}

/**
 * Direct translation by orthogonal Procrustes (Maiorca et al. 2023): each space is centred on its
 * anchor mean and divided by its anchors' mean norm; the smaller space is zero-padded to the larger
 * dimension; the orthogonal map between the padded anchors is estimated in closed form; outputs are
 * cut to the target dimension and given back the target scale and centre. Recovers any
 * rotation/reflection plus translation plus isotropic scaling exactly.
 *
 * Padding is never materialised: a padded source row only meets the first d_x rows of the D×D map
 * and only its first d_y columns are kept, and that block is exactly U·Vᵀ from the thin SVD of the
 * d_x×d_y cross-covariance X̃ᵀỸ (the zero block's singular vectors pair with each other). So the fit
 * is one min(d_x, d_y)-rank SVD instead of a D×D one.
 */
export class ProcrustesTranslator implements Translator {
  readonly method = "procrustes" as const;
  private state?: ProcrustesState;

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const ax = toMatrix(anchorsX, "anchorsX");
    const ay = toMatrix(anchorsY, "anchorsY");
    assertParallelAnchors(ax, ay, 2);
    const source = anchorStats(ax);
    const target = anchorStats(ay);
    const dim = Math.max(ax.cols, ay.cols);
    const { U, V } = svd(matmulTransA(centerAndScale(ax, source), centerAndScale(ay, target)));
    const rotation = matmulTransB(U!, V!);
    this.state = {
      source, target, rotation,
      diagnostics: {
        method: this.method, sourceDim: ax.cols, targetDim: ay.cols, anchors: ax.rows, paddedDim: dim,
        fitSeconds: (performance.now() - t0) / 1000,
      },
    };
    return this;
  }

  transform(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    return unscaleInPlace(matmul(centerAndScale(xm, s.source), s.rotation), s.target);
  }

  get rotation(): Matrix {
    return requireFitted(this.state, this.method).rotation;
  }

  get diagnostics(): TranslatorDiagnostics {
    return requireFitted(this.state, this.method).diagnostics;
  }
}
