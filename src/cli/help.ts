/** The `latent-bridge` help texts (what `--help` prints; the README's CLI section says the same). */
import { DEFAULT_DELTAS, DEFAULT_OMEGAS } from "../eval/sensitivity";
import { IRP_DEFAULTS, MAX_OMEGA } from "../translate/irp";
import type { Command } from "./options";

const INPUTS = `Inputs are 2-D arrays (rows × dims) of float32, float64, int32 or int64: .npy files
(little-endian, C order, any size), or arrays of an .npz archive (numpy.savez or savez_compressed):
x.npz when it holds one array, x.npz:key to pick one (a missing or ambiguous key lists the keys).`;

const METHODS = `  --method <name>           translation method:
                              irp         Inverse Relative Projection (relative projection on the
                                          source anchors, decoded with the pseudo-inverse of the
                                          target anchors, averaged over ω pruned anchor subspaces)
                              procrustes  orthogonal Procrustes on centred, rescaled, zero-padded spaces
                              lstsq       least squares X·W ≈ Y (linear, through the origin)
                              affine      least squares with a bias term [X 1]·W ≈ Y
                              absolute    no translation (baseline; needs equal dimensions)
  --source-anchors <file>   anchors in the source space, k × d_source
  --target-anchors <file>   the same k anchors in the target space, k × d_target`;

const METHOD_OPTIONS = `IRP options (ignored, with a warning, by the other methods):
  --omega <N>               ω, number of pruned anchor subspaces averaged (default ${IRP_DEFAULTS.omega});
                            an integer in [1, ${MAX_OMEGA}]
  --delta <D>               δ, farthest-point-sampling stop threshold on the 1−|cos| distance,
                            a number in [0, 1); 0 keeps every anchor (default ${IRP_DEFAULTS.delta})
  --seed <S>                seed of the random first anchor of each subspace (default ${IRP_DEFAULTS.seed});
                            an integer in [0, 2^32 − 1] = [0, 4294967295], as numpy's
  --prune <source|target>   whose anchors farthest-point sampling prunes (default ${IRP_DEFAULTS.prune}); the same
                            items are kept in both spaces either way
  --ridge <λ>               ridge-regularised inverse (S_Y·S_Yᵀ + λI)⁻¹·S_Y instead of the pseudo-inverse
                            (default 0); keeps IRP's property that each side reads only its own anchors
  --whiten                  whiten the relative space with each side's own anchors (polar factors);
                            keeps the property
  --orthogonalize           replace the averaged map by its polar factor (nearest orthogonal map);
                            gives the property up (the map needs both sides' anchors)

Procrustes option (ignored, with a warning, by the other methods):
  --procrustes-variant <auto|full|anchor-span>
                            how the orthogonal map is computed (default auto). With fewer anchors
                            than dimensions the Procrustes solution is not unique: auto and
                            anchor-span return the map on the anchors' span (what lies outside it is
                            dropped), computed through the k anchors (fast for k ≪ d); full returns
                            the classical U·Vᵀ of the whole d_source × d_target cross-covariance,
                            an arbitrary completion in that case. With enough anchors all three agree
                            and auto computes exactly the classical map.

  --rcond <R>               relative singular-value cut-off of the pseudo-inverse (singular values
                            ≤ R·σ_max count as zero), a finite number ≥ 0, for irp, lstsq and affine
                            (default max(rows, cols)·machine epsilon, as numpy)`;

const OUTPUT = `  --output <file>           where to write the n × d_target translation (.npy, written block by block
                            into a hidden temporary file renamed at the end: a failed or interrupted
                            run never leaves a partial or new file; parent directories are created;
                            an existing file is replaced, but never one of the input files)`;

const DTYPE = `  --dtype <float32|float64> dtype of the output .npy (default: float32 when the input is float32,
                            float64 otherwise; computed in float64 unless --precision float32);
                            with float32 a value beyond float32's range (±3.4e38) is an error, never
                            a silent ±inf`;

const PRECISION = `  --precision <float64|float32>
                            arithmetic of irp's product with its map (default float64). float32
                            rounds the unit rows and the map to float32 and multiplies with float32
                            SIMD (~1.6x faster here): each entry then differs from float64's by at
                            most ~1.5e-5 x the norm of its map column, typically ~1e-7 relative —
                            for float32 embeddings when a few float32 ulps do not matter`;

const KERNELS = `  --kernels <wasm|js|blas>  numeric kernels (default: $LATENT_BRIDGE_KERNELS, else wasm). wasm: WebAssembly
                            SIMD, the same bits on every machine; blas: the machine's BLAS and
                            LAPACK (OpenBLAS, as numpy; needs the npm package koffi), numpy's speed
                            and numpy's machine-dependent last bits (streamed blocks then equal the
                            whole-matrix result to rounding, not bit for bit); js: TypeScript`;

const JSON_FLAG = `  --json                    print exactly one JSON object on stdout (the report, or {"error": …} on
                            failure); Infinity/NaN are written as the strings "Infinity",
                            "-Infinity", "NaN"
  -h, --help                show this help`;

const STREAMING = `The input is streamed: read by row blocks at file offsets and written block by block, so memory
stays bounded (a few tens of MB beyond the anchors) whatever its size; on a terminal, inputs of
100,000 rows or more show a progress line. The result is bit for bit what translating the whole
matrix at once gives (with --kernels blas: to rounding).`;

const EXIT = `Exit status: 0 success; 1 the command failed (unreadable, corrupt or mismatched file, NaN/Infinity,
zero vectors, degenerate anchors, overflow, I/O error); 2 usage error (unknown command/flag/method,
missing or bad value, an output naming an input file, a wrong output extension); 128 + the signal
number when interrupted while writing (130 Ctrl-C/SIGINT, 143 SIGTERM, 129 SIGHUP).`;

export const TRANSLATE_USAGE = `Usage:
  latent-bridge translate --method <method> --source-anchors <A.npy> --target-anchors <B.npy>
                          --input <X.npy> --output <Y.npy> [--save model.npz] [options]`;

export const TRANSLATE_HELP = `${TRANSLATE_USAGE}

Fit a translator on parallel anchors (row i of A and row i of B are the same item embedded in the
source and the target space), translate the source embeddings X and write them to Y.

${INPUTS}

Required:
${METHODS}
  --input <file>            source embeddings to translate, n × d_source
${OUTPUT}

${METHOD_OPTIONS}

Other options:
  --save <model.npz>        also save the fitted translator (as fit --save does), to apply it later
${DTYPE}
${PRECISION}
${KERNELS}
${JSON_FLAG}

${STREAMING}

Diagnostics (stdout): method, anchors, source/target dims, rows translated; for irp also ω, δ, seed,
prune, mean anchors kept, mean condition number and distinct subspaces (per-subspace details with
--json); for procrustes the variant, the rank of the cross-covariance and whether the solution is
unique; fit, transform and total seconds; the output path, shape and dtype.

Checks: inputs must be finite; anchors must spread (not all equal up to rounding) and stay inside
float64 after centring; every output value must be finite. Each failure is one line naming the flag
and the file, and leaves no output and no temporary file.

${EXIT}

Example:
  latent-bridge translate --method irp --source-anchors anchors_src.npy \\
    --target-anchors anchors_tgt.npy --input queries_src.npy --output queries_tgt.npy \\
    --omega 16 --delta 0.8 --seed 0`;

export const FIT_HELP = `Usage:
  latent-bridge fit --method <method> --source-anchors <A.npy> --target-anchors <B.npy>
                    --save <model.npz> [options]

Fit a translator on parallel anchors and save it, to apply it to any number of inputs later
(latent-bridge apply).

${INPUTS}

The model is an .npz archive numpy opens (np.load): the fitted arrays (for irp: source_mean,
source_mean_norm, target_mean, target_mean_norm, map, …) and a "meta" entry, UTF-8 JSON as a uint8
array (json.loads(m["meta"].tobytes())): format version, method, options, dimensions, diagnostics.

Required:
${METHODS}
  --save <model.npz>        where to write the model (atomically; must end in .npz)

${METHOD_OPTIONS}

Other options:
${KERNELS}
${JSON_FLAG}

${EXIT}

Example:
  latent-bridge fit --method irp --source-anchors anchors_src.npy --target-anchors anchors_tgt.npy \\
    --save model.npz --delta 0.5
  latent-bridge apply --model model.npz --input queries_src.npy --output queries_tgt.npy`;

export const APPLY_HELP = `Usage:
  latent-bridge apply --model <model.npz> --input <X.npy> --output <Y.npy> [--dtype …] [--json]

Translate X with a model saved by latent-bridge fit --save (or saveTranslator in the library): the
same output, bit for bit, as translating with the translator that was saved.

${INPUTS}

Required:
  --model <model.npz>       the saved translator; a model of another format version, or whose arrays
                            are not its method's, is refused (exit 1)
  --input <file>            source embeddings, n × d_source (d_source must be the model's)
${OUTPUT}

Options:
${DTYPE}
${PRECISION}
${KERNELS}
${JSON_FLAG}

${STREAMING}

${EXIT}`;

export const EVALUATE_HELP = `Usage:
  latent-bridge evaluate --predicted <Y.npy> --target <T.npy> [--json]

How close translated embeddings Y are to the true target embeddings T of the same items (row i of
each is the same item; same shape).

${INPUTS}

Prints: mean cosine similarity of matching rows; mean squared error; top-1 and top-5 retrieval
accuracy (the share of rows of Y whose nearest row of T by cosine, or one of the 5 nearest, is their
own; ties count in their favour); mean reciprocal rank (the mean of 1/rank of the own row of T).

Required:
  --predicted <file>        translated embeddings, n × d
  --target <file>           true target embeddings, n × d

Options:
${JSON_FLAG}

Exit status: 0 success; 1 unreadable or mismatched files, NaN/Infinity, an all-zero row; 2 usage error.`;

export const CHOOSE_HELP = `Usage:
  latent-bridge choose --source-anchors <A.npy> --target-anchors <B.npy> [options] [--json]

Pick IRP's (ω, δ) from the anchors alone: a seeded share of the anchors is held out, IRP is fitted
on the rest at every (ω, δ) of a grid, and the setting whose translation of the held-out source
anchors is closest (mean cosine) to their target embeddings wins (the first best in grid order: δ
as given, ω ascending). Prints the choice and the whole grid.

${INPUTS}

Required:
  --source-anchors <file>   anchors in the source space, k × d_source (k ≥ 3)
  --target-anchors <file>   the same k anchors in the target space, k × d_target

Options:
  --omegas <list>           ω values to try, comma-separated (default ${DEFAULT_OMEGAS.join(",")})
  --deltas <list>           δ values to try, comma-separated, each in [0, 1)
                            (default ${DEFAULT_DELTAS.join(",")})
  --holdout <share>         share of the anchors held out, in (0, 1) (default 0.2)
  --seed <S>                seeds the hold-out split and IRP's draws (default 0)
  --prune <source|target>   whose anchors are pruned (default ${IRP_DEFAULTS.prune})
${KERNELS}
${JSON_FLAG}

Then: latent-bridge fit --method irp --omega <ω> --delta <δ> … with the chosen values.

Exit status: 0 success; 1 unreadable or mismatched anchors, too few anchors, NaN/Infinity; 2 usage error.`;

export const COMMAND_HELP: Record<Command, string> = {
  translate: TRANSLATE_HELP,
  fit: FIT_HELP,
  apply: APPLY_HELP,
  evaluate: EVALUATE_HELP,
  choose: CHOOSE_HELP,
};

export function globalHelp(version: string): string {
  return `latent-bridge ${version} — latent space translation via Inverse Relative Projection (IRP)

Usage:
  latent-bridge translate [options]    fit on anchors and translate embeddings, in one run
  latent-bridge fit [options]          fit on anchors and save the translator (model.npz)
  latent-bridge apply [options]        translate embeddings with a saved translator
  latent-bridge evaluate [options]     compare translated embeddings with the true ones
  latent-bridge choose [options]       pick IRP's ω and δ from the anchors alone
  latent-bridge <command> --help       the options of a command (also: latent-bridge help <command>)
  latent-bridge --help                 this help, with every command's options
  latent-bridge --version              print the version

${(Object.keys(COMMAND_HELP) as Command[]).map((c) => `Command ${c}\n${"-".repeat(8 + c.length)}\n${COMMAND_HELP[c]}\n`).join("\n")}`;
}
