/**
 * danfojs-node DataFrames for result tables (groupby/mean over runs, pivots).
 *
 * danfojs-node is loaded lazily (≈1.3 s) and only after `getTf()` from src/engine/tf: that puts
 * TensorFlow.js in production mode first (no Node banner) and makes danfo's tensors use the same
 * wasm backend as the rest of latent-bridge — in this repository danfo's `@tensorflow/tfjs-node`
 * dependency is an npm alias of plain tfjs, which shares tfjs-core's global engine.
 */
import type { DataFrame } from "danfojs-node";
import { getTf } from "../engine/tf";
import { InvalidParameterError } from "../errors";
import { tableColumns, validateRows, type Cell, type Row } from "./format";

export type { DataFrame };
export type Danfo = typeof import("danfojs-node");

let danfo: Promise<Danfo> | undefined;

/** The danfojs-node module (loaded once, after the TensorFlow.js engine). */
export function loadDanfo(): Promise<Danfo> {
  if (danfo === undefined) {
    danfo = (async () => {
      await getTf();
      const mod = (await import("danfojs-node")) as Danfo & { default?: Danfo };
      return typeof mod.DataFrame === "function" ? mod : (mod.default as Danfo);
    })().catch((err: unknown) => {
      danfo = undefined;
      throw err;
    });
  }
  return danfo;
}

/**
 * A DataFrame from rows of `{ column: number | string }`. Columns are the union of the rows' keys in
 * first-seen order; missing values become null (danfo's missing value).
 *
 *   const df = await toDataFrame(results);
 *   showTable(df.groupby(["method"]).mean());
 */
export async function toDataFrame(rows: Row[]): Promise<DataFrame> {
  validateRows(rows);
  const dfd = await loadDanfo();
  const columns = tableColumns(rows);
  if (rows.length === 0) return new dfd.DataFrame([], { columns });
  const data: Record<string, (Cell | null)[]> = {};
  for (const c of columns) data[c] = rows.map((r) => (r[c] === undefined ? null : r[c]));
  return new dfd.DataFrame(data, { columns });
}

/** Duck-typed DataFrame check (no danfo load needed). */
export function isDataFrame(x: unknown): x is DataFrame {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const o = x as { columns?: unknown; values?: unknown; shape?: unknown };
  return Array.isArray(o.columns) && Array.isArray(o.values) && Array.isArray(o.shape);
}

/**
 * The rows of a DataFrame as `{ column: value }` objects (the index is not included). Missing values
 * (null/undefined) become "" so every row keeps every column.
 */
export function dataFrameToRows(df: DataFrame): Row[] {
  if (!isDataFrame(df)) throw new InvalidParameterError("df", "expected a danfojs DataFrame");
  const cols = df.columns;
  const values = df.values as unknown[];
  return values.map((line, i) => {
    const cells = Array.isArray(line) ? line : [line];
    const row: Row = {};
    cols.forEach((c, j) => {
      const v = cells[j];
      if (v === null || v === undefined) row[c] = "";
      else if (typeof v === "number" || typeof v === "string") row[c] = v;
      else if (typeof v === "boolean" || typeof v === "bigint") row[c] = String(v);
      else if (v instanceof Date) row[c] = v.toISOString();
      else throw new InvalidParameterError("df", `row ${i}, column "${c}": unsupported value of type ${typeof v}`);
    });
    return row;
  });
}
