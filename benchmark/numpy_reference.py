"""numpy side of `npm run bench`'s in-process rows: one operation per process, one BLAS thread.

    numpy_reference.py JOB.json OP     OP: svd, pinv, irpFit, irpTransform, irpFitTransform (IRP
                                       collapsed into one map, as latent-bridge and a user do),
                                       irpTransform32, irpFitTransform32 (the product in float32)
                                       or irpFitTransformLiteral (eq. 5 term by term)

Reads the .npy inputs named in the JSON job written by benchmark/run.ts, times OP once after the
inputs are loaded, and prints {"seconds", "cpuSeconds", "numpy"} (CPU time of the process, all threads) (run.ts measures the process's peak RSS with
GNU time). run.ts alternates these processes with latent-bridge's own
(benchmark/ops.ts) and takes medians.
"""
import json
import sys
import time

import numpy as np

from numpy_irp import fit_collapsed, fit_literal, transform_collapsed, transform_literal


def main(job_path, op):
    job = json.load(open(job_path))
    first, delta = job["firstPoints"], job["delta"]
    if op in ("svd", "pinv"):
        a = np.load(job["square"])
        run = {"svd": lambda: np.linalg.svd(a), "pinv": lambda: np.linalg.pinv(a)}[op]
    else:
        ax, ay = np.load(job["anchorsX"]), np.load(job["anchorsY"])
        x = np.load(job["input"]) if op != "irpFit" else None
        model = fit_collapsed(ax, ay, first, delta) if op.startswith("irpTransform") else None
        run = {
            "irpFit": lambda: fit_collapsed(ax, ay, first, delta),
            "irpTransform": lambda: transform_collapsed(model, x),
            "irpFitTransform": lambda: transform_collapsed(fit_collapsed(ax, ay, first, delta), x),
            "irpFitTransformLiteral": lambda: transform_literal(fit_literal(ax, ay, first, delta), x),
            "irpTransform32": lambda: transform_collapsed(model, x, np.float32),
            "irpFitTransform32": lambda: transform_collapsed(fit_collapsed(ax, ay, first, delta), x, np.float32),
        }[op]
    t, cpu = time.perf_counter(), time.process_time()
    run()
    seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "numpy": np.__version__}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
