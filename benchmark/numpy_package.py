"""numpy side of `npm run bench`'s package rows (benchmark/package.ts), one BLAS thread.

    numpy_package.py cli JOB.json [float32]
                                        load the anchors and the input, fit IRP collapsed to one map
                                        (the same first points as latent-bridge's seeded draws), transform,
                                        save — what `latent-bridge translate` does, as one script run
                                        (the IRP code is numpy_irp.py's, shared with numpy_reference.py);
                                        float32: the product in float32 (as --precision float32)
    numpy_package.py stream MODEL INPUT OUTPUT
                                        apply a saved latent-bridge IRP model (model.npz) to INPUT opened
                                        with np.load(mmap_mode="r"), 65,536 rows at a time, into an
                                        np.lib.format.open_memmap OUTPUT (float32); prints peak RSS
    numpy_package.py compare A B        max |A − B| over two .npy files of the same shape, in row chunks
"""
import json
import resource
import sys
import time

import numpy as np

from numpy_irp import fit_collapsed, transform_collapsed


def cli(job_path, precision="float64"):
    job = json.load(open(job_path))
    ax = np.load(job["anchorsX"]).astype(np.float64)
    ay = np.load(job["anchorsY"]).astype(np.float64)
    x = np.load(job["input"])
    model = fit_collapsed(ax, ay, job["firstPoints"], job["delta"])
    np.save(job["output"], transform_collapsed(model, x.astype(np.float64), np.dtype(precision).type).astype(x.dtype))


def stream(model_path, input_path, output_path):
    t0 = time.perf_counter()
    m = np.load(model_path)
    source_mean, target_mean = m["source_mean"], m["target_mean"]
    target_mean_norm, irp_map = m["target_mean_norm"], m["map"]
    x = np.load(input_path, mmap_mode="r")
    y = np.lib.format.open_memmap(output_path, mode="w+", dtype=np.float32, shape=(x.shape[0], irp_map.shape[1]))
    chunk = 65536
    for s in range(0, x.shape[0], chunk):
        u = x[s:s + chunk].astype(np.float64) - source_mean
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        z = u @ irp_map
        y[s:s + chunk] = z / np.linalg.norm(z, axis=1, keepdims=True) * target_mean_norm + target_mean
    y.flush()
    del y
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "numpy": np.__version__}))


def compare(a_path, b_path):
    a = np.load(a_path, mmap_mode="r")
    b = np.load(b_path, mmap_mode="r")
    assert a.shape == b.shape, (a.shape, b.shape)
    worst = 0.0
    for s in range(0, a.shape[0], 65536):
        worst = max(worst, float(np.abs(a[s:s + 65536].astype(np.float64) - b[s:s + 65536]).max()))
    print(json.dumps({"maxAbsDiff": worst}))


if __name__ == "__main__":
    {"cli": cli, "stream": stream, "compare": compare}[sys.argv[1]](*sys.argv[2:])
