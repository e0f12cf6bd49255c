/** The `latent-bridge` help texts (what `--help` prints; the README's CLI section says the same). */
import { IRP_DEFAULTS, MAX_OMEGA } from "../translate/irp";

export const TRANSLATE_USAGE = `Usage:
  latent-bridge translate --method <method> --source-anchors <A.npy> --target-anchors <B.npy>
                          --input <X.npy> --output <Y.npy> [options]`;

export const TRANSLATE_HELP = `${TRANSLATE_USAGE}

Fit a translator on parallel anchors (row i of A and row i of B are the same item embedded in the
source and the target space), translate the source embeddings X and write them to Y. Inputs are 2-D
.npy arrays (rows × dims) of float32, float64, int32 or int64 (little-endian, C order; files up to
2 GiB).

Required:
  --method <name>           translation method:
                              irp         Inverse Relative Projection (relative projection on the
                                          source anchors, decoded with the pseudo-inverse of the
                                          target anchors, averaged over ω pruned anchor subspaces)
                              procrustes  orthogonal Procrustes on centred, rescaled, zero-padded spaces
                              lstsq       least squares X·W ≈ Y (linear, through the origin)
                              affine      least squares with a bias term [X 1]·W ≈ Y
                              absolute    no translation (baseline; needs equal dimensions)
  --source-anchors <file>   anchors in the source space, k × d_source .npy
  --target-anchors <file>   the same k anchors in the target space, k × d_target .npy
  --input <file>            source embeddings to translate, n × d_source .npy
  --output <file>           where to write the n × d_target translation (.npy, written atomically:
                            a failed or interrupted run never leaves a partial or new file; parent
                            directories are created; an existing file is replaced, but never one of
                            the input files)

IRP options (ignored, with a warning, by the other methods):
  --omega <N>               ω, number of pruned anchor subspaces averaged (default ${IRP_DEFAULTS.omega});
                            an integer in [1, ${MAX_OMEGA}]
  --delta <D>               δ, farthest-point-sampling stop threshold on the 1−|cos| distance,
                            a number in [0, 1); 0 keeps every anchor (default ${IRP_DEFAULTS.delta})
  --seed <S>                seed of the random first anchor of each subspace (default ${IRP_DEFAULTS.seed});
                            an integer in [0, 2^32 − 1] = [0, 4294967295], as numpy's
  --prune <source|target>   whose anchors farthest-point sampling prunes (default ${IRP_DEFAULTS.prune}); the same
                            items are kept in both spaces either way

Procrustes option (ignored, with a warning, by the other methods):
  --procrustes-variant <auto|full|anchor-span>
                            how the orthogonal map is computed (default auto). With fewer anchors
                            than dimensions the Procrustes solution is not unique: auto and
                            anchor-span return the map on the anchors' span (what lies outside it is
                            dropped), computed through the k anchors (fast for k ≪ d); full returns
                            the classical U·Vᵀ of the whole d_source × d_target cross-covariance,
                            an arbitrary completion in that case. With enough anchors all three agree
                            and auto computes exactly the classical map.

Other options:
  --rcond <R>               relative singular-value cut-off of the pseudo-inverse (singular values
                            ≤ R·σ_max count as zero), a finite number ≥ 0, for irp, lstsq and affine
                            (default max(rows, cols)·machine epsilon, as numpy)
  --dtype <float32|float64> dtype of the output .npy (default float64, whatever the input dtypes:
                            the translation is computed in float64); with float32 a value beyond
                            float32's range (±3.4e38) is an error, never a silent ±inf
  --json                    print exactly one JSON object on stdout (diagnostics, or {"error": …}
                            on failure); Infinity/NaN are written as the strings "Infinity",
                            "-Infinity", "NaN"
  -h, --help                show this help

Diagnostics (stdout): method, anchors, source/target dims, rows translated; for irp also ω, δ, seed,
prune, mean anchors kept, mean condition number and distinct subspaces (per-subspace details with
--json); for procrustes the variant, the rank of the cross-covariance and whether the solution is
unique; fit, transform and total seconds; the output path.

Checks: inputs must be finite; anchors must spread (not all equal up to rounding) and stay inside
float64 after centring; every output value must be finite. Each failure is one line naming the flag
and the file, and leaves no output and no temporary file.

Exit status: 0 success; 1 the translation failed (unreadable, too large or corrupt file, shape
mismatch, NaN/Infinity, zero vectors, degenerate anchors, overflow, I/O error); 2 usage error (unknown
command/flag/method, missing or bad value, --output naming an input file); 128 + the signal number
when interrupted while writing (130 Ctrl-C/SIGINT, 143 SIGTERM, 129 SIGHUP).

Example:
  latent-bridge translate --method irp --source-anchors anchors_src.npy \\
    --target-anchors anchors_tgt.npy --input queries_src.npy --output queries_tgt.npy \\
    --omega 16 --delta 0.8 --seed 0`;

export function globalHelp(version: string): string {
  return `latent-bridge ${version} — latent space translation via Inverse Relative Projection (IRP)

Usage:
  latent-bridge translate [options]    translate embeddings from a source to a target space
  latent-bridge --help                 show this help (also: latent-bridge help [translate])
  latent-bridge translate --help       show the help of translate
  latent-bridge --version              print the version

Command translate
-----------------
${TRANSLATE_HELP}
`;
}
