#!/usr/bin/python3
"""Writes the .npz test fixtures in test/fixtures/npz/ with NumPy (deterministic values; the zip
timestamps are whenever this ran, which the tests do not read).

    /usr/bin/python3 scripts/make-npz-fixtures.py

expected.json lists, per archive and key, the shape, dtype and flat C-order values (repr of the
float64 value, str of integers), so the TypeScript tests compare bit-exactly.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "npz")


def values_of(a):
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype.kind == "f":
        return [repr(float(x)) for x in flat]
    return [str(int(x)) for x in flat]


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays = {
        "anchors": (np.arange(12, dtype=np.float32).reshape(3, 4) / 7).astype(np.float32),
        "queries": np.linspace(-1.5, 2.25, 10, dtype=np.float64).reshape(5, 2),
        "labels": np.array([[1, -2, 3], [2**40, 5, -6]], dtype=np.int64),
    }
    archives = {
        "stored.npz": (np.savez, arrays),
        "compressed.npz": (np.savez_compressed, arrays),
        "single.npz": (np.savez, {"embeddings": arrays["queries"]}),
        "positional.npz": (np.savez, None),  # np.savez(f, a) names the array arr_0
    }
    expected = {}
    for name, (save, named) in archives.items():
        path = os.path.join(OUT, name)
        if named is None:
            save(path, arrays["anchors"])
            named = {"arr_0": arrays["anchors"]}
        else:
            save(path, **named)
        expected[name] = {k: {"shape": list(a.shape), "dtype": str(a.dtype), "values": values_of(a)} for k, a in named.items()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
