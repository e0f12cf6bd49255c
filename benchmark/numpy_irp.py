"""IRP in numpy, as a user would write it — shared by benchmark/numpy_reference.py (in-process rows)
and benchmark/numpy_package.py (the CLI's whole-process row), so both time the same code.

    fit_collapsed     centre, normalise, FPS on |cos| from the given first points, one pinv per
                      distinct subspace, all collapsed into one d_x×d_y map (what latent-bridge does)
    transform_collapsed   (dtype=np.float32: the product in float32, as `precision: "float32"`)
    fit_literal / transform_literal
                      eq. 5 term by term: one pseudo-inverse and one decode per draw
"""
import numpy as np


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


def fit_collapsed(ax, ay, first_points, delta):
    mx, my = ax.mean(0), ay.mean(0)
    ux, uy = normalize(ax - mx), normalize(ay - my)
    g = np.abs(uy @ uy.T)
    subs = {}
    for f in first_points:
        idx = fps(g, f, delta)
        key = idx.tobytes()
        subs[key] = (idx, subs.get(key, (idx, 0))[1] + 1)
    m = sum(c * (ux[idx].T @ np.linalg.pinv(uy[idx].T)) for idx, c in subs.values()) / len(first_points)
    return mx, my, m, np.linalg.norm(ay - my, axis=1).mean()


def transform_collapsed(model, x, dtype=np.float64):
    """dtype float32: the product as a float32 user writes it (unit rows and map cast to float32)."""
    mx, my, m, scale = model
    if dtype == np.float64:
        return normalize(normalize(x - mx) @ m) * scale + my
    z = (normalize(x - mx).astype(dtype) @ m.astype(dtype)).astype(np.float64)
    return normalize(z) * scale + my


def fit_literal(ax, ay, first_points, delta):
    mx, my = ax.mean(0), ay.mean(0)
    ux, uy = normalize(ax - mx), normalize(ay - my)
    g = np.abs(uy @ uy.T)
    decoders = [(idx, np.linalg.pinv(uy[idx].T)) for idx in (fps(g, f, delta) for f in first_points)]
    return mx, my, ux, decoders, np.linalg.norm(ay - my, axis=1).mean()


def transform_literal(model, x):
    mx, my, ux, decoders, scale = model
    xn = normalize(x - mx)
    y = sum((xn @ ux[idx].T) @ p for idx, p in decoders) / len(decoders)
    return normalize(y) * scale + my
