/**
 * Pure table formatting: rows of `{ column: number | string }` to CSV, GitHub-flavoured Markdown,
 * HTML and plain text. No I/O, no danfojs — these are what saveTable/showTable write and print.
 *
 * Columns are the union of the rows' keys in first-seen order; a missing or null value is an empty
 * cell. A column is numeric (right-aligned) when all its non-empty values are numbers.
 */
import { InvalidParameterError } from "../errors";

export type Cell = number | string;
export type Row = Record<string, Cell>;

/** Default number of decimals for Markdown, HTML and text tables. */
export const DEFAULT_DIGITS = 4;

// ---------------------------------------------------------------------------------------------
// Shape.

/** The union of the rows' keys, in first-seen order. */
export function tableColumns(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Checks that `rows` is an array of plain objects whose values are numbers or strings (or null/undefined). */
export function validateRows(rows: unknown, argument = "rows"): asserts rows is Row[] {
  if (!Array.isArray(rows)) throw new InvalidParameterError(argument, `expected an array of row objects, got ${typeof rows}`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new InvalidParameterError(argument, `row ${i} is not an object (got ${r === null ? "null" : Array.isArray(r) ? "an array" : typeof r})`);
    }
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
      if (v !== null && v !== undefined && typeof v !== "number" && typeof v !== "string") {
        throw new InvalidParameterError(argument, `row ${i}, column "${k}": expected a number or a string, got ${typeof v}`);
      }
    }
  });
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new InvalidParameterError("digits", `expected an integer in 0..20, got ${digits}`);
  }
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/** Which columns hold only numbers (ignoring empty cells); at least one number is required. */
export function numericColumns(rows: readonly Row[], columns: readonly string[] = tableColumns(rows)): boolean[] {
  return columns.map((c) => {
    let any = false;
    for (const r of rows) {
      const v = r[c] as unknown;
      if (isEmpty(v)) continue;
      if (typeof v !== "number") return false;
      any = true;
    }
    return any;
  });
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/**
 * A number for display: integers as they are, others with `digits` decimals, switching to
 * exponential notation when fixed notation would hide the value (|x| < 10^-digits) or be huge.
 * NaN → "NaN", ±Infinity → "inf" / "-inf".
 */
export function formatTableNumber(x: number, digits: number = DEFAULT_DIGITS): string {
  checkDigits(digits);
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e15) return String(x === 0 ? 0 : x);
  if (a < 10 ** -digits || a >= 1e15) return x.toExponential(Math.max(0, digits - 1));
  return x.toFixed(digits);
}

function displayCell(v: unknown, digits: number): string {
  if (isEmpty(v)) return "";
  return typeof v === "number" ? formatTableNumber(v, digits) : String(v);
}

// ---------------------------------------------------------------------------------------------
// CSV.

/** One CSV field: quoted (with `"` doubled) when it holds a comma, quote, CR/LF or edge spaces. */
export function csvField(v: unknown): string {
  if (isEmpty(v)) return "";
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV (header line + one line per row, "\n" line ends, trailing newline). Numbers keep full
 * precision (`String(x)` round-trips), so the CSV is the machine-readable copy of a table.
 */
export function csvTable(rows: readonly Row[]): string {
  validateRows(rows);
  const cols = tableColumns(rows);
  const lines = [cols.map(csvField).join(",")];
  for (const r of rows) lines.push(cols.map((c) => csvField(r[c])).join(","));
  return lines.join("\n") + "\n";
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, embedded commas and newlines) into string cells. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = (): void => {
    row.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRow = (): void => {
    endField();
    out.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted && field === "") {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ",") {
      endField();
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      endRow();
      i += 2;
    } else if (ch === "\n" || ch === "\r") {
      endRow();
      i++;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new InvalidParameterError("text", "unterminated quoted CSV field");
  if (fieldStarted || field !== "" || row.length > 0) endRow();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown, text, HTML.

function markdownCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r\n|\r|\n/g, "<br>");
}

/**
 * A GitHub-flavoured Markdown table: header, separator (`---:` for numeric columns), one line per
 * row, every line with the same number of cells, columns padded to a common width.
 */
export function markdownTable(rows: readonly Row[], digits: number = DEFAULT_DIGITS): string {
  validateRows(rows);
  checkDigits(digits);
  const cols = tableColumns(rows);
  if (cols.length === 0) return "";
  const numeric = numericColumns(rows, cols);
  const header = cols.map(markdownCell);
  const body = rows.map((r) => cols.map((c) => markdownCell(displayCell(r[c], digits))));
  const widths = cols.map((_, j) => Math.max(3, header[j].length, ...body.map((b) => b[j].length)));
  const pad = (s: string, j: number): string => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const line = (cells: string[]): string => `| ${cells.map(pad).join(" | ")} |`;
  const sep = `| ${widths.map((w, j) => (numeric[j] ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")} |`;
  return [line(header), sep, ...body.map(line)].join("\n") + "\n";
}

/** A plain-text table for terminals and logs (optional title line, numeric columns right-aligned). */
export function textTable(rows: readonly Row[], options: { title?: string; digits?: number } = {}): string {
  validateRows(rows);
  const digits = options.digits ?? DEFAULT_DIGITS;
  checkDigits(digits);
  const cols = tableColumns(rows);
  const out: string[] = [];
  if (options.title) out.push(options.title);
  if (cols.length === 0) {
    out.push("(empty table)");
    return out.join("\n") + "\n";
  }
  const numeric = numericColumns(rows, cols);
  const body = rows.map((r) => cols.map((c) => displayCell(r[c], digits).replace(/\r\n|\r|\n/g, " ")));
  const widths = cols.map((c, j) => Math.max(c.length, ...body.map((b) => b[j].length)));
  const pad = (s: string, j: number): string => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  out.push(cols.map(pad).join("  ").trimEnd());
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) out.push(b.map(pad).join("  ").trimEnd());
  return out.join("\n") + "\n";
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** An HTML `<table>` (with a `<caption>` for the title) for notebook display. */
export function htmlTable(rows: readonly Row[], options: { title?: string; digits?: number } = {}): string {
  validateRows(rows);
  const digits = options.digits ?? DEFAULT_DIGITS;
  checkDigits(digits);
  const cols = tableColumns(rows);
  const numeric = numericColumns(rows, cols);
  const align = (j: number): string => (numeric[j] ? ' style="text-align:right"' : ' style="text-align:left"');
  const parts: string[] = ['<table class="latent-bridge-table">'];
  if (options.title) parts.push(`<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(options.title)}</caption>`);
  parts.push(`<thead><tr>${cols.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join("")}</tr></thead>`);
  parts.push("<tbody>");
  for (const r of rows) {
    parts.push(`<tr>${cols.map((c, j) => `<td${align(j)}>${escapeHtml(displayCell(r[c], digits)).replace(/\r\n|\r|\n/g, "<br>")}</td>`).join("")}</tr>`);
  }
  parts.push("</tbody></table>");
  return parts.join("");
}
