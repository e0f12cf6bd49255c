/** What `latent-bridge translate` prints: the report object (`--json`) and its human-readable table. */
import type { IrpDiagnostics } from "../translate/irp";
import type { ProcrustesDiagnostics } from "../translate/procrustes";
import type { TranslationMethod, Translator, TranslatorDiagnostics } from "../translate/translator";
import type { PruneSide } from "../validate";

/** JSON.stringify that keeps Infinity/NaN as strings instead of silently turning them into null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

function fmtNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

function fmtSeconds(s: number): string {
  return `${s.toFixed(s < 10 ? 4 : 2)} s`;
}

/** What translate, fit and apply report (fit has no rows or output; apply no anchors of its own). */
export interface TranslateReport {
  command: "translate" | "fit" | "apply";
  method: TranslationMethod;
  anchors: number;
  sourceDim: number;
  targetDim: number;
  /** translate, apply: the rows translated, where they went, the input's dtype and the output's. */
  rows?: number;
  output?: string;
  outputShape?: [number, number];
  dtype?: "float32" | "float64";
  inputDtype?: string;
  /** translate, apply: the arithmetic of the product (--precision). */
  precision?: "float32" | "float64";
  /** Row blocks the input was streamed in. */
  blocks?: number;
  inputs: { sourceAnchors?: string; targetAnchors?: string; input?: string };
  /** fit, translate --save: where the model was saved; apply: the model applied. */
  model?: string;
  fitSeconds: number;
  transformSeconds?: number;
  totalSeconds: number;
  warnings: string[];
  /** irp only. */
  omega?: number;
  delta?: number;
  seed?: number;
  prune?: PruneSide;
  /** IRP's variant options (ridge, whiten, orthogonalize), only when one is not at its default. */
  irpVariant?: IrpDiagnostics["variant"];
  meanAnchorsKept?: number;
  meanConditionNumber?: number;
  distinctSubspaces?: number;
  subspaces?: IrpDiagnostics["subspaces"];
  /** procrustes only. */
  variant?: ProcrustesDiagnostics["variant"];
  computedBy?: ProcrustesDiagnostics["computedBy"];
  unique?: boolean;
  /** lstsq/affine (and procrustes: the rank of the cross-covariance). */
  rank?: number;
  conditionNumber?: number;
  rcond?: number | null;
  /** The translator's own diagnostics object, verbatim. */
  diagnostics: TranslatorDiagnostics;
}

/** The method-specific fields of the report, taken from the translator's diagnostics. */
export function methodFields(method: TranslationMethod, diagnostics: TranslatorDiagnostics): Partial<TranslateReport> {
  const out: Partial<TranslateReport> = {};
  if (method === "irp") {
    const d = diagnostics as IrpDiagnostics;
    Object.assign(out, {
      omega: d.omega, delta: d.delta, seed: d.seed, prune: d.prune,
      meanAnchorsKept: d.meanAnchorsKept, meanConditionNumber: d.meanConditionNumber,
      distinctSubspaces: d.distinctSubspaces, subspaces: d.subspaces,
      ...(d.variant ? { irpVariant: d.variant } : {}),
    });
  }
  if (method === "procrustes") {
    const d = diagnostics as ProcrustesDiagnostics;
    Object.assign(out, { variant: d.variant, computedBy: d.computedBy, unique: d.unique });
  }
  if (typeof diagnostics.rank === "number") out.rank = diagnostics.rank;
  if (typeof diagnostics.conditionNumber === "number") out.conditionNumber = diagnostics.conditionNumber;
  return out;
}

export function humanReport(r: TranslateReport): string {
  const rows: [string, string][] = [
    ["method", r.method],
    ["anchors", String(r.anchors)],
    ["source dim", String(r.sourceDim)],
    ["target dim", String(r.targetDim)],
  ];
  if (r.rows !== undefined) rows.push(["rows translated", String(r.rows)]);
  if (r.method === "irp") {
    rows.push(
      ["ω (omega)", String(r.omega)],
      ["δ (delta)", String(r.delta)],
      ["seed", String(r.seed)],
      ["prune", String(r.prune)],
      ["mean anchors kept", `${fmtNumber(r.meanAnchorsKept!)} of ${r.anchors}`],
      ["mean condition number", fmtNumber(r.meanConditionNumber!)],
      ["distinct subspaces", `${r.distinctSubspaces} (of ω = ${r.omega} draws)`],
    );
    if (r.irpVariant) {
      const v = r.irpVariant;
      rows.push(["variant", [v.ridge > 0 ? `ridge λ = ${v.ridge}` : "", v.whiten ? "whitened" : "", v.orthogonalize ? "orthogonalized" : ""].filter(Boolean).join(", ")]);
    }
  }
  if (r.method === "procrustes") {
    rows.push(["variant", `${r.variant} (computed through the ${r.computedBy === "anchor-span" ? "anchors' span" : "cross-covariance"})`]);
    rows.push(["unique solution", r.unique ? "yes" : "no (fewer independent anchors than dimensions)"]);
  }
  if (r.rank !== undefined) rows.push(["rank", String(r.rank)]);
  if (r.conditionNumber !== undefined) rows.push(["condition number", fmtNumber(r.conditionNumber)]);
  rows.push([r.command === "apply" ? "fit (when saved)" : "fit", fmtSeconds(r.fitSeconds)]);
  if (r.transformSeconds !== undefined) rows.push(["transform", fmtSeconds(r.transformSeconds)]);
  rows.push(["total", fmtSeconds(r.totalSeconds)]);
  if (r.model !== undefined) rows.push([r.command === "apply" ? "model" : "model saved", r.model]);
  if (r.output !== undefined) rows.push(["output", `${r.output} (${r.outputShape![0]}×${r.outputShape![1]} ${r.dtype}${r.inputDtype !== undefined ? `, from ${r.inputDtype} input` : ""}${r.precision === "float32" ? ", float32 product" : ""})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

/** The report's fields that come from a fitted translator (method, shapes, method diagnostics, rcond). */
export function translatorFields(translator: Translator): Pick<TranslateReport, "method" | "anchors" | "sourceDim" | "targetDim" | "fitSeconds" | "diagnostics"> & Partial<TranslateReport> {
  const d = translator.diagnostics;
  const out: Pick<TranslateReport, "method" | "anchors" | "sourceDim" | "targetDim" | "fitSeconds" | "diagnostics"> & Partial<TranslateReport> = {
    method: translator.method, anchors: d.anchors, sourceDim: d.sourceDim, targetDim: d.targetDim, fitSeconds: d.fitSeconds,
    ...methodFields(translator.method, d),
    diagnostics: d,
  };
  if (translator.method === "irp" || translator.method === "lstsq" || translator.method === "affine") {
    out.rcond = (translator as { rcond?: number }).rcond ?? null;
  }
  return out;
}
