/**
 * A fitted translator applied to a file of any size: the input (`.npy`, or an `.npz` array) is read
 * by row blocks at file offsets, each block is translated, and the output `.npy` is written block by
 * block into a hidden temporary file renamed over the output at the end (io/atomicWrite.ts's
 * `openAtomicWriter`: a failed or interrupted run leaves no output and no temporary file). Memory
 * stays bounded by the block size (~8 MiB of float64 per block, plus the translator's own state)
 * whatever the input size.
 *
 * The output equals `translator.transform(wholeInput)` bit for bit: every translator maps each row on
 * its own, and the blocks are sized so that their matrix products run on the kernel the whole product
 * would (see `minRowsForSameKernel`).
 */
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { minRowsForSameKernel, type Precision } from "../linalg/product";
import { assertPrecision } from "../validate";
import { openAtomicWriter } from "../io/atomicWrite";
import { openRows, type RowSource } from "../io/arraySource";
import { DESCR, littleEndianBytes, npyHeaderBytes } from "../io/npy";
import { AbsoluteTranslator } from "./absolute";
import { InverseRelativeProjection } from "./irp";
import { LeastSquaresTranslator } from "./leastSquares";
import { ProcrustesTranslator } from "./procrustes";
import type { Translator } from "./translator";

export type OutputDtype = "float32" | "float64";

const FLOAT32_MAX = 3.4028234663852886e38;
/** Bytes of float64 per block on the wider side (the input's or the output's rows). */
const BLOCK_BYTES = 8 * 1024 * 1024;

export interface TransformFileOptions {
  /**
   * The output's dtype. Default: float32 when the input is stored as float32, else float64 (the
   * translation is computed in float64 either way, unless `precision`). With float32, a value beyond its range (±3.4e38)
   * is a NonFiniteError, never a silent ±Infinity.
   */
  dtype?: OutputDtype;
  /**
   * The product's arithmetic, for IRP: "float64" (default) or "float32" (`IrpTransformOptions`:
   * float32 SIMD, each decoded entry within `float32ProductErrorBound(d_x)`·‖M_:j‖ of float64's).
   * Blocks keep the whole-matrix result bit for bit either way.
   */
  precision?: Precision;
  /** Rows per block (rounded to what keeps the result bit for bit; see the module comment). Default from an 8 MiB budget. */
  blockRows?: number;
  /** Called after each block with the rows written so far and the total. */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** What errors about the input name (default the input's path, `path:key` for an archive member). */
  inputName?: string;
}

export interface TransformFileResult {
  rows: number;
  sourceDim: number;
  targetDim: number;
  /** The input's stored dtype and the output's. */
  inputDtype: string;
  dtype: OutputDtype;
  /** The product's arithmetic. */
  precision: Precision;
  blocks: number;
  blockRows: number;
  /** Seconds spent translating (reading and writing excluded), and in total. */
  transformSeconds: number;
  seconds: number;
}

/** The output dtype the rule above gives for an input stored as `inputDtype`. */
export function defaultOutputDtype(inputDtype: string): OutputDtype {
  return inputDtype === "float32" ? "float32" : "float64";
}

/**
 * The smallest k·n over the matrix products a translator's `transform` makes with a block's rows
 * (A_block (rows × k) · B (k × n)): what decides which kernel runs (`minRowsForSameKernel`).
 */
export function smallestProductWork(translator: Translator): number {
  const { sourceDim: dx, targetDim: dy } = translator.diagnostics;
  if (translator instanceof ProcrustesTranslator) {
    const map = translator.fittedState.map;
    if ("left" in map) return Math.min(dx * map.left.cols, map.right.cols * dy);
  }
  if (translator instanceof AbsoluteTranslator) return Infinity; // no product
  if (translator instanceof LeastSquaresTranslator && translator.method === "affine") return (dx + 1) * dy;
  return dx * dy; // irp, lstsq, procrustes with one d_x × d_y map
}

/**
 * Rows per block: a multiple of 4 within the byte budget (`requested` rows instead, if given), never
 * below the kernel's minimum for the translator's products.
 */
export function blockRowsFor(translator: Translator, requested?: number): { rows: number; minimum: number } {
  const { sourceDim, targetDim } = translator.diagnostics;
  const minimum = minRowsForSameKernel(smallestProductWork(translator));
  const budget = requested ?? Math.floor(BLOCK_BYTES / (8 * Math.max(1, sourceDim, targetDim)));
  return { rows: Math.max(minimum, 4 * Math.max(1, Math.floor(budget / 4))), minimum };
}

/**
 * Translates the matrix `input` names (a path: `x.npy`, `x.npz`, `x.npz:key`; or an open RowSource,
 * which is then not closed) into the `.npy` file `output`, block by block (see the module comment).
 * @throws ShapeMismatchError (argument "x") when the input's width is not the translator's source
 *   dimension — before anything is written; the translator's own errors (NonFiniteError,
 *   ZeroNormError, with the row counted in the whole input); FileFormatError/FileSystemError for the
 *   files; InterruptedError when SIGINT/SIGTERM/SIGHUP arrived while writing.
 */
export async function transformFile(
  translator: Translator, input: string | RowSource, output: string, options: TransformFileOptions = {},
): Promise<TransformFileResult> {
  const t0 = performance.now();
  const { sourceDim, targetDim } = translator.diagnostics;
  const precision = assertPrecision(options.precision);
  if (precision === "float32" && !(translator instanceof InverseRelativeProjection)) {
    throw new InvalidParameterError("precision", `"float32" is implemented for irp only, not for ${translator.method}; use "float64"`);
  }
  const source = typeof input === "string" ? openRows(input, options.inputName) : input;
  try {
    if (source.cols !== sourceDim) {
      throw new ShapeMismatchError("x", `expected ${sourceDim} columns (the source dimension seen in fit), got ${source.rows}×${source.cols}`);
    }
    const dtype = options.dtype ?? defaultOutputDtype(source.dtype);
    const rows = source.rows;
    const { rows: block, minimum } = blockRowsFor(translator, options.blockRows);
    const writer = await openAtomicWriter(output);
    let transformSeconds = 0;
    let blocks = 0;
    try {
      await writer.write(npyHeaderBytes(DESCR[dtype], [rows, targetDim]));
      for (let start = 0; start < rows;) {
        let count = Math.min(block, rows - start);
        // A short last block could fall below the kernel's minimum: it joins the one before.
        if (rows - start - count < minimum) count = rows - start;
        const x = new Matrix(count, sourceDim, source.read(start, count));
        const t1 = performance.now();
        const y = translateBlock(translator, x, start, precision);
        transformSeconds += (performance.now() - t1) / 1000;
        await writer.write(encode(y, dtype, start));
        start += count;
        blocks++;
        options.onProgress?.(start, rows);
      }
      source.finish();
      await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    return {
      rows, sourceDim, targetDim, inputDtype: source.dtype, dtype, precision, blocks, blockRows: block, transformSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    if (typeof input === "string") source.close();
  }
}

/** One block through the translator; errors about a row name its row in the whole input. */
function translateBlock(translator: Translator, x: Matrix, firstRow: number, precision: Precision): Matrix {
  try {
    return precision === "float32" ? (translator as InverseRelativeProjection).transform(x, { precision }) : translator.transform(x);
  } catch (e) {
    if (e instanceof NonFiniteError || e instanceof ZeroNormError) throw e.atRowOffset(firstRow);
    throw e;
  }
}

/** A block's bytes in the output dtype; a value beyond float32's range is an error, never ±Infinity. */
function encode(y: Matrix, dtype: OutputDtype, firstRow: number): Uint8Array {
  if (dtype === "float64") return littleEndianBytes(y.data);
  const out = new Float32Array(y.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = y.data[i];
    if (!(Math.abs(v) <= FLOAT32_MAX)) {
      throw new NonFiniteError(
        "dtype", firstRow + Math.floor(i / y.cols), i % y.cols, v,
        "float32 output: the translation has a value beyond the float32 range (±3.4e38); write float64",
      );
    }
    out[i] = v;
  }
  return littleEndianBytes(out);
}

