/**
 * `latent-bridge evaluate --predicted Y --target T`: how close translated embeddings are to the true
 * ones (row i of each is the same item) — and `latent-bridge choose --source-anchors A
 * --target-anchors B`: IRP's (ω, δ) picked from the anchors alone (eval/irpChoice.ts), with the grid
 * it looked at.
 */
import { resolve } from "node:path";
import { LatentBridgeError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import type { ProgressMode } from "../engine/progress";
import { chooseIrpParameters, type IrpChoiceOptions, type ParameterChoice } from "../eval/irpChoice";
import { irpGapDiagnostic } from "../eval/irpDiagnostic";
import { DEFAULT_DELTAS, DEFAULT_OMEGAS } from "../eval/sensitivity";
import { meanCosineSimilarity, meanSquaredError, retrievalScores } from "../metrics/metrics";
import { PRUNE_SIDES } from "../validate";
import { CliError, EXIT_FAILURE, EXIT_OK, fromLibraryError, mapLibraryErrors } from "./cliErrors";
import { readFlagMatrix, type CliIo, type Files } from "./files";
import { requireFlags } from "./fitting";
import { parseChoice, parseDelta, parseHoldout, parseList, parseOmega, parseSeed, type Values } from "./options";
import { toJson } from "./report";

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

/** Metric errors name "translated"/"targets" (metrics/metrics.ts): the flags here are --predicted/--target. */
function metricFlags(e: LatentBridgeError, files: Files): CliError {
  const flag = e.argument === "targets" || e.argument === "b" ? "--target" : "--predicted";
  const message = e.message.replace(/^\w+: /, "").replace(/\btranslated\b/g, "--predicted").replace(/\btargets\b/g, "--target");
  return new CliError(EXIT_FAILURE, e.name, flag, `${flag} (${files[flag]}): ${message}`);
}

export async function evaluate(values: Values, io: CliIo, json: boolean): Promise<number> {
  const t0 = performance.now();
  requireFlags(values, ["predicted", "target"], "evaluate");
  const files: Files = { "--predicted": values.predicted!, "--target": values.target! };
  const predicted = readFlagMatrix("--predicted", files);
  const target = readFlagMatrix("--target", files);
  const metrics = mapLibraryErrors(() => {
    const meanCosine = meanCosineSimilarity(predicted, target);
    const mse = meanSquaredError(predicted, target);
    const retrieval = retrievalScores(predicted, target, [1, Math.min(5, predicted.rows)]);
    return { meanCosine, mse, top1: retrieval.topK[0], top5: retrieval.topK[1], mrr: retrieval.mrr };
  }, (e) => metricFlags(e, files));
  const report = {
    command: "evaluate" as const,
    rows: predicted.rows,
    dim: predicted.cols,
    ...metrics,
    inputs: { predicted: resolve(files["--predicted"]), target: resolve(files["--target"]) },
    totalSeconds: (performance.now() - t0) / 1000,
  };
  if (json) io.stdout.write(toJson(report) + "\n");
  else {
    const rows: [string, string][] = [
      ["rows", `${report.rows} (dimension ${report.dim})`],
      ["mean cosine", fmt(metrics.meanCosine)],
      ["mean squared error", metrics.mse.toPrecision(4)],
      ["top-1 retrieval", fmt(metrics.top1)],
      [`top-${Math.min(5, predicted.rows)} retrieval`, fmt(metrics.top5)],
      ["mean reciprocal rank", fmt(metrics.mrr)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    io.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n");
  }
  return EXIT_OK;
}

/**
 * Extra lines about a choice, computed from the same anchors: anchor-only diagnostics, each a
 * function of the anchors, the chooser's options and its choice returning its JSON fields and its
 * human-readable lines.
 */
export type ChoiceDiagnostic = (args: { anchorsX: Matrix; anchorsY: Matrix; options: IrpChoiceOptions; choice: ParameterChoice }) =>
  { fields: Record<string, unknown>; lines: Array<[string, string]> };

/**
 * How far IRP is expected to trail Procrustes on these anchors (`irpGapDiagnostic`: cross-validated
 * held-out anchor reconstruction at the chosen (ω, δ), and the anisotropy of the map between the
 * anchor sets), before any downstream model exists.
 */
const irpGap: ChoiceDiagnostic = ({ anchorsX, anchorsY, options, choice }) => {
  const g = irpGapDiagnostic({ anchorsX, anchorsY, ...options, choice });
  return {
    fields: { irpGap: g },
    lines: [
      ["IRP − Procrustes on held-out anchors (centred cosine, " + `${g.folds}-fold)`, `${g.heldOutGap >= 0 ? "+" : ""}${fmt(g.heldOutGap)} (IRP ${fmt(g.irpScore)}, Procrustes ${fmt(g.procrustesScore)})`],
      ["recommended", g.recommended === "irp" ? "irp (it loses nothing to Procrustes on these anchors)" : "procrustes (IRP is expected to trail it; see the README's \"When to use IRP\")"],
      ["anisotropy of the map between the anchor sets", `condition number ${g.mapConditionNumber.toPrecision(3)} over ${g.principalDim} principal coordinates (1 = a rotation)`],
    ],
  };
};

export const CHOICE_DIAGNOSTICS: ChoiceDiagnostic[] = [irpGap];

export async function choose(values: Values, io: CliIo, json: boolean): Promise<number> {
  const t0 = performance.now();
  requireFlags(values, ["source-anchors", "target-anchors"], "choose");
  const options: IrpChoiceOptions = {};
  if (values.omegas !== undefined) options.omegas = parseList("--omegas", values.omegas, (v) => parseOmega(v, "--omegas"));
  if (values.deltas !== undefined) options.deltas = parseList("--deltas", values.deltas, (v) => parseDelta(v, "--deltas"));
  if (values.holdout !== undefined) options.holdout = parseHoldout(values.holdout);
  if (values.seed !== undefined) options.seed = parseSeed(values.seed);
  if (values.prune !== undefined) options.prune = parseChoice("--prune", values.prune, PRUNE_SIDES);
  const files: Files = { "--source-anchors": values["source-anchors"]!, "--target-anchors": values["target-anchors"]! };
  const anchorsX = readFlagMatrix("--source-anchors", files);
  const anchorsY = readFlagMatrix("--target-anchors", files);
  // A progress bar on a terminal only (stdout may be JSON; logs stay quiet).
  const bar: ProgressMode | false = io.stderr.isTTY ? "tty" : false;
  const { choice, extra } = mapLibraryErrors(() => {
    const chosen = chooseIrpParameters({ anchorsX, anchorsY, ...options, progress: bar });
    return { choice: chosen, extra: CHOICE_DIAGNOSTICS.map((diagnose) => diagnose({ anchorsX, anchorsY, options, choice: chosen })) };
  }, (e) => fromLibraryError(e, files));
  const report = {
    command: "choose" as const,
    omega: choice.omega,
    delta: choice.delta,
    score: choice.score,
    anchors: anchorsX.rows,
    fittedOn: choice.anchors,
    heldOut: choice.heldOut,
    holdout: options.holdout ?? 0.2,
    seed: options.seed ?? 0,
    prune: options.prune ?? "target",
    omegas: options.omegas ?? DEFAULT_OMEGAS,
    deltas: options.deltas ?? DEFAULT_DELTAS,
    table: choice.table,
    ...(Object.assign({}, ...extra.map((x) => x.fields)) as Record<string, unknown>),
    inputs: { sourceAnchors: resolve(files["--source-anchors"]), targetAnchors: resolve(files["--target-anchors"]) },
    totalSeconds: (performance.now() - t0) / 1000,
  };
  if (json) {
    io.stdout.write(toJson(report) + "\n");
    return EXIT_OK;
  }
  const out: string[] = [
    `chosen: ω = ${choice.omega}, δ = ${choice.delta} (held-out anchors' mean cosine ${fmt(choice.score)})`,
    `from ${anchorsX.rows} anchors: IRP fitted on ${choice.anchors}, scored on ${choice.heldOut} held out (seed ${report.seed}, prune ${report.prune})`,
    ...extra.flatMap((x) => x.lines.map(([k, v]) => `${k}: ${v}`)),
    "",
    "the grid (mean cosine of the held-out anchors' reconstruction; * the choice)",
  ];
  const omegas: number[] = report.omegas, deltas: number[] = report.deltas;
  const cell = (o: number, d: number) => choice.table.find((c) => c.omega === o && c.delta === d);
  const head = ["δ \\ ω", ...omegas.map(String)];
  const rows = deltas.map((d) => [String(d), ...omegas.map((o) => {
    const c = cell(o, d);
    return c === undefined ? "" : `${fmt(c.score)}${o === choice.omega && d === choice.delta ? "*" : " "}`;
  })]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  for (const r of [head, ...rows]) out.push(r.map((v, j) => v.padStart(widths[j])).join("  "));
  io.stdout.write(out.join("\n") + "\n");
  return EXIT_OK;
}
