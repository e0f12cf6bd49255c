#!/usr/bin/python3
"""Writes the .npy test fixtures in test/fixtures/npy/ with NumPy (deterministic, no randomness).

Run with the Debian python that has python3-numpy installed:

    /usr/bin/python3 scripts/make-npy-fixtures.py

expected.json lists, for every valid fixture, its shape, dtype and flat C-order values as decimal
strings: repr(float(x)) for floats (float32 values are first widened exactly to float64), str(int(x))
for integers, so the TypeScript tests can compare bit-exactly.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "npy")


def values_of(a):
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype.kind == "f":
        return [repr(float(x)) for x in flat]
    return [str(int(x)) for x in flat]


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    def save(name, a, version=None):
        path = os.path.join(OUT, name)
        if version is None:
            np.save(path, a)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, a, version=version)
        assert os.path.getsize(path) < 1024, name

    def valid(name, a, version=None):
        save(name, a, version)
        expected[name] = {
            "shape": list(a.shape),
            "dtype": {"f4": "float32", "f8": "float64", "i4": "int32", "i8": "int64"}[a.dtype.str[1:]],
            "values": values_of(a),
        }

    valid(
        "f4_2x3.npy",
        np.array([[0.1, -1.5, 3.4028235e38], [1e-45, -0.0, 2.0 / 3.0]], dtype=np.float32),
    )
    valid(
        "f8_3x2.npy",
        np.array([[1.0 / 3.0, -2.5e-300], [1e300, -0.0], [5e-324, 0.1]], dtype=np.float64),
    )
    valid("i4_4.npy", np.array([-2147483648, -1, 0, 2147483647], dtype=np.int32))
    valid(
        "i8_2x2.npy",
        np.array([[-9223372036854775808, 9007199254740993], [0, -1]], dtype=np.int64),
    )
    valid("f8_v2.npy", np.arange(6, dtype=np.float64).reshape(2, 3) / 7.0, version=(2, 0))
    valid("f8_v3.npy", -np.arange(6, dtype=np.float64).reshape(3, 2) / 9.0, version=(3, 0))

    # Must be rejected by the reader.
    save("f8_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
    save("f8_bigendian.npy", np.arange(3, dtype=">f8"))

    # One compact line per fixture keeps the file small (< 1 KB) and still diff-friendly.
    lines = [
        "  %s: %s" % (json.dumps(k), json.dumps(expected[k], sort_keys=True, separators=(",", ":")))
        for k in sorted(expected)
    ]
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    assert len(text.encode()) < 1024, "expected.json"
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
