"""numpy side of `npm run bench`: the same operations on the same inputs, one BLAS thread.

Reads the .npy inputs and a JSON job written by benchmark/run.ts, prints one JSON object of
timings (seconds, best of `repeats`). IRP is evaluated the way eq. 5 reads (one pseudo-inverse and
one decode per subspace) and, for a like-for-like comparison, also collapsed into a single map.
"""
import json
import sys
import time

import numpy as np


def best_time(fn, repeats):
    best = float("inf")
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def normalize(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def fps(abs_cos, first, delta):
    k = abs_cos.shape[0]
    selected = np.zeros(k, dtype=bool)
    selected[first] = True
    min_dist = np.maximum(0.0, 1.0 - abs_cos[first])
    while True:
        cand = np.where(selected, -np.inf, min_dist)
        best = int(np.argmax(cand))
        if selected[best] or cand[best] < delta:
            break
        selected[best] = True
        min_dist = np.minimum(min_dist, np.maximum(0.0, 1.0 - abs_cos[best]))
    return np.flatnonzero(selected)


def main():
    job = json.load(open(sys.argv[1]))
    ax = np.load(job["anchorsX"])
    ay = np.load(job["anchorsY"])
    x = np.load(job["input"])
    a = np.load(job["square"])
    reps = job["repeats"]
    res = {"numpy": np.__version__}

    res["svd"], _ = best_time(lambda: np.linalg.svd(a), reps)
    res["pinv"], _ = best_time(lambda: np.linalg.pinv(a), reps)

    def fit_literal():
        mx, my = ax.mean(0), ay.mean(0)
        ux, uy = normalize(ax - mx), normalize(ay - my)
        g = np.abs(uy @ uy.T)
        subs = [fps(g, f, job["delta"]) for f in job["firstPoints"]]
        decoders = [(idx, np.linalg.pinv(uy[idx].T)) for idx in subs]
        scale = np.linalg.norm(ay - my, axis=1).mean()
        return mx, my, ux, decoders, scale

    res["irpFitLiteral"], model = best_time(fit_literal, 1)
    mx, my, ux, decoders, scale = model

    def transform_literal():
        xn = normalize(x - mx)
        y = sum((xn @ ux[idx].T) @ p for idx, p in decoders) / len(decoders)
        return normalize(y) * scale + my

    res["irpTransformLiteral"], _ = best_time(transform_literal, 1)

    def fit_single_map():
        mx, my = ax.mean(0), ay.mean(0)
        ux, uy = normalize(ax - mx), normalize(ay - my)
        g = np.abs(uy @ uy.T)
        subs = {}
        for f in job["firstPoints"]:
            idx = fps(g, f, job["delta"])
            key = idx.tobytes()
            subs[key] = (idx, subs.get(key, (idx, 0))[1] + 1)
        m = sum(c * (ux[idx].T @ np.linalg.pinv(uy[idx].T)) for idx, c in subs.values()) / len(job["firstPoints"])
        return mx, my, m, np.linalg.norm(ay - my, axis=1).mean()

    res["irpFitSingleMap"], model = best_time(fit_single_map, 1)
    mx, my, m, scale = model
    res["irpTransformSingleMap"], y = best_time(lambda: normalize(normalize(x - mx) @ m) * scale + my, reps)
    res["checksum"] = float(np.abs(y).sum())
    print(json.dumps(res))


if __name__ == "__main__":
    main()
