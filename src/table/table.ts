/**
 * Showing and saving result tables.
 *
 *   showTable(rows, { title: "Table 1", digits: 3 });   // HTML in a tslab notebook, text elsewhere
 *   saveTable(rows, "table1-mse");                      // <figuresDir()>/table1-mse.csv + .md
 *
 * Both take rows (`{ column: number | string }[]`) or a danfojs DataFrame.
 */
import { mkdirSync } from "node:fs";
import { writeFileAtomic } from "../io/atomicWrite";
import { join, resolve } from "node:path";
import { tslabModule } from "../engine/notebook";
import { InvalidParameterError } from "../errors";
import { figuresDir } from "../config";
import { dataFrameToRows, isDataFrame, type DataFrame } from "./danfo";
import { csvTable, htmlTable, markdownTable, textTable, validateRows, DEFAULT_DIGITS, type Row } from "./format";

export type TableInput = readonly Row[] | DataFrame;

/** Rows from rows or a DataFrame. */
export function tableRows(table: TableInput, argument = "table"): Row[] {
  if (isDataFrame(table)) return dataFrameToRows(table);
  validateRows(table, argument);
  return table as Row[];
}

export interface ShowTableOptions {
  title?: string;
  /** Decimals for non-integer numbers (default 4). */
  digits?: number;
}

/**
 * Displays a table: an HTML table in a tslab notebook (tslab.display.html), a plain-text table on
 * stdout anywhere else (tslab is only loaded inside its kernel).
 */
export function showTable(table: TableInput, options: ShowTableOptions = {}): void {
  const rows = tableRows(table);
  const digits = options.digits ?? DEFAULT_DIGITS;
  const tslab = tslabModule();
  if (tslab !== undefined) {
    try {
      tslab.display.html(htmlTable(rows, { title: options.title, digits }));
      return;
    } catch {
      // Not inside a cell execution ("Not ready"): fall through to text.
    }
  }
  process.stdout.write(textTable(rows, { title: options.title, digits }));
}

/** Where tables are saved by default: the figures folder (see src/config.ts: env, quick mode, <repo>/figures). */
export function tablesDir(): string {
  return figuresDir();
}

/** Table names are file names without extension: letters, digits, '.', '_' and '-', not starting with '.'. */
export function validateTableName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidParameterError("name", `expected a non-empty file name, got ${JSON.stringify(name)}`);
  }
  if (/[\\/]/.test(name) || name.includes("\0")) {
    throw new InvalidParameterError("name", `"${name}" contains a path separator; pass the folder as { dir } instead`);
  }
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) || name.length > 200) {
    throw new InvalidParameterError("name", `"${name}" is not a plain file name (use letters, digits, '.', '_' and '-', not starting with '.')`);
  }
}

export interface SaveTableOptions {
  /** Output folder (created if needed); default `tablesDir()`. */
  dir?: string;
  /** Decimals in the Markdown file (default 4); the CSV keeps full precision. */
  digits?: number;
}

export interface SavedTable {
  csv: string;
  md: string;
}

/**
 * Writes `<dir>/<name>.csv` (RFC 4180, full precision) and `<dir>/<name>.md` (GitHub Markdown,
 * `digits` decimals). Each file is written to a temporary file in the same folder and renamed over
 * the target, so readers never see a partial table. Returns the two paths.
 */
export function saveTable(table: TableInput, name: string, options: SaveTableOptions = {}): SavedTable {
  validateTableName(name);
  const rows = tableRows(table);
  const digits = options.digits ?? DEFAULT_DIGITS;
  const csv = csvTable(rows);
  const md = markdownTable(rows, digits);
  const dir = resolve(options.dir ?? tablesDir());
  mkdirSync(dir, { recursive: true });
  const paths: SavedTable = { csv: join(dir, `${name}.csv`), md: join(dir, `${name}.md`) };
  writeFileAtomic(paths.csv, csv);
  writeFileAtomic(paths.md, md);
  return paths;
}
