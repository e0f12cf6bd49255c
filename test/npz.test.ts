/**
 * .npz archives (src/io/npz.ts) and matrices by row blocks (src/io/arraySource.ts): what numpy.savez
 * and savez_compressed write is read bit for bit, keys are picked or listed, every damaged archive is
 * a typed error, and what writeNpz writes numpy opens.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ArchiveKeyError, FileFormatError, FileSystemError } from "../src/errors";
import { openRows, readMatrix } from "../src/io/arraySource";
import { serializeNpy, writeNpyMatrix } from "../src/io/npy";
import { crc32, listNpz, parseArraySpec, readNpz, readNpzArray, serializeNpz, writeNpz } from "../src/io/npz";
import { Matrix } from "../src/linalg/matrix";
import { randomMatrix } from "./helpers";

const FIXTURES = fileURLToPath(new URL("./fixtures/npz/", import.meta.url));
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<string, Record<string, { shape: number[]; dtype: string; values: string[] }>>;
const PY = "/usr/bin/python3";
const hasNumpy = existsSync(PY) && spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
const dir = mkdtempSync(join(tmpdir(), "latent-bridge-npz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => join(FIXTURES, name);
const tmp = (name: string) => join(dir, name);
function expectError<E extends Error>(fn: () => unknown, type: new (...a: never[]) => E, message: RegExp): E {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
  return caught as E;
}

/** A copy of a fixture with `patch` applied to its bytes. */
function patched(name: string, patch: (b: Uint8Array, view: DataView) => void): string {
  const bytes = new Uint8Array(readFileSync(fixture(name)));
  patch(bytes, new DataView(bytes.buffer));
  const out = tmp(`patched-${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(out, bytes);
  return out;
}

const eocdOf = (v: DataView) => v.byteLength - 22;
const centralOf = (v: DataView) => v.getUint32(eocdOf(v) + 16, true);

describe("reading what numpy writes", () => {
  for (const archive of ["stored.npz", "compressed.npz", "single.npz", "positional.npz"]) {
    it(`${archive}: every array bit for bit, with its shape and dtype`, () => {
      const arrays = readNpz(fixture(archive));
      expect(Object.keys(arrays).sort()).toEqual(Object.keys(expected[archive]).sort());
      for (const [key, want] of Object.entries(expected[archive])) {
        const got = arrays[key];
        expect(got.shape, key).toEqual(want.shape);
        expect(got.dtype, key).toBe(want.dtype);
        const values = Array.from(got.data as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? v.toString() : v));
        const wantValues = want.values.map((s) => (want.dtype.startsWith("int") ? s : Number(s)));
        expect(values, key).toEqual(wantValues);
      }
    });
  }

  it("lists members with their compression (savez stores, savez_compressed deflates)", () => {
    expect(listNpz(fixture("stored.npz")).map((m) => [m.key, m.compression])).toEqual([["anchors", "stored"], ["queries", "stored"], ["labels", "stored"]]);
    expect(listNpz(fixture("compressed.npz")).every((m) => m.compression === "deflate" && m.compressedSize < m.size + 64)).toBe(true);
  });

  it("x.npz is its only array; x.npz:key picks one; a missing or ambiguous key lists the keys", () => {
    expect(readNpzArray(fixture("single.npz")).shape).toEqual([5, 2]);
    expect(readNpzArray(fixture("stored.npz"), "queries").shape).toEqual([5, 2]);
    expect(readNpzArray(fixture("stored.npz"), "queries.npy").shape).toEqual([5, 2]);
    const ambiguous = expectError(() => readNpzArray(fixture("stored.npz")), ArchiveKeyError, /holds 3 arrays: "anchors", "queries", "labels"; name one as .*stored\.npz:<key>/);
    expect(ambiguous.keys).toEqual(["anchors", "queries", "labels"]);
    const missing = expectError(() => readNpzArray(fixture("stored.npz"), "anchor"), ArchiveKeyError, /no array "anchor" in the archive; it holds 3 arrays: "anchors", "queries", "labels"/);
    expect(missing.argument).toBe(fixture("stored.npz"));
  });

  it("readMatrix takes .npy, x.npz and x.npz:key alike, converting to float64 exactly", () => {
    const q = readMatrix(`${fixture("stored.npz")}:queries`);
    expect(Array.from(q.data)).toEqual(expected["stored.npz"].queries.values.map(Number));
    expect(readMatrix(`${fixture("compressed.npz")}:anchors`).data).toEqual(readMatrix(`${fixture("stored.npz")}:anchors`).data);
    expect(readMatrix(fixture("single.npz")).shape).toEqual([5, 2]);
    // int64 beyond 2^53 would be refused; 2^40 converts exactly
    expect(readMatrix(`${fixture("stored.npz")}:labels`).data[3]).toBe(2 ** 40);
  });

  it("parseArraySpec splits the key only after .npz", () => {
    expect(parseArraySpec("a/b.npz:train")).toEqual({ path: "a/b.npz", key: "train" });
    expect(parseArraySpec("a/b.NPZ:x.npy")).toEqual({ path: "a/b.NPZ", key: "x.npy" });
    expect(parseArraySpec("a/b.npz")).toEqual({ path: "a/b.npz" });
    expect(parseArraySpec("C:\\data\\x.npy")).toEqual({ path: "C:\\data\\x.npy" });
    expect(parseArraySpec("odd:name.npy")).toEqual({ path: "odd:name.npy" });
  });
});

describe("damaged archives are typed errors naming the file", () => {
  it("truncated anywhere: FileFormatError, never a crash", () => {
    const bytes = readFileSync(fixture("stored.npz"));
    for (const length of [0, 10, 21, 100, 400, bytes.length - 30, bytes.length - 1]) {
      const p = tmp(`truncated-${length}.npz`);
      writeFileSync(p, bytes.subarray(0, length));
      expectError(() => readNpz(p), FileFormatError, /not a valid \.npz archive/);
    }
  });

  it("a flipped data byte fails the CRC-32 check (stored and deflated)", () => {
    const stored = patched("stored.npz", (b) => (b[200] ^= 0x01));
    expectError(() => readNpz(stored), FileFormatError, /fails its CRC-32 check/);
    const deflated = patched("compressed.npz", (b, v) => {
      const m = listNpz(fixture("compressed.npz"))[1];
      b[m.dataOffset + 20] ^= 0x40;
      void v;
    });
    expectError(() => readNpz(deflated), FileFormatError, /CRC-32|compressed data is corrupt|inflates to/);
  });

  it("zip64 archives are refused with what to do instead", () => {
    const p = patched("stored.npz", (_b, v) => v.setUint32(eocdOf(v) + 16, 0xffffffff, true));
    expectError(() => readNpz(p), FileFormatError, /needs zip64 .* save such arrays with np\.save as \.npy/);
    const member = patched("stored.npz", (_b, v) => v.setUint32(centralOf(v) + 20, 0xffffffff, true));
    expectError(() => readNpz(member), FileFormatError, /member anchors\.npy of this archive needs zip64/);
  });

  it("unsupported compression and encryption are refused by name", () => {
    const bzip2 = patched("stored.npz", (_b, v) => v.setUint16(centralOf(v) + 10, 12, true));
    expectError(() => readNpz(bzip2), FileFormatError, /compression method 12 \(bzip2\), which is not supported; numpy\.savez stores/);
    const encrypted = patched("stored.npz", (_b, v) => v.setUint16(centralOf(v) + 8, 1, true));
    expectError(() => readNpz(encrypted), FileFormatError, /encrypted/);
  });

  it("a local header that does not match the central directory is corrupt", () => {
    const p = patched("stored.npz", (b) => (b[30] = "z".charCodeAt(0))); // first member's name in its local header
    expectError(() => readNpz(p), FileFormatError, /names another member/);
  });

  it("not a zip at all, a missing file and a directory", () => {
    const text = tmp("text.npz");
    writeFileSync(text, "this is not an archive, just text long enough to look for an end record");
    expectError(() => readNpz(text), FileFormatError, /no end-of-central-directory record/);
    expectError(() => readNpz(tmp("missing.npz")), FileSystemError, /cannot read \.npz file: no such file/);
    expectError(() => readNpz(dir), FileSystemError, /is a directory/);
  });

  it("a member that is not a valid .npy is a FileFormatError naming path:key", () => {
    const p = tmp("bad-member.npz");
    writeFileSync(p, serializeNpz({ ok: { shape: [2], data: new Float64Array([1, 2]) } }));
    const bytes = new Uint8Array(readFileSync(p));
    const m = listNpz(p)[0];
    bytes[m.dataOffset] = 0; // breaks the \x93NUMPY magic …
    const v = new DataView(bytes.buffer);
    v.setUint32(centralOf(v) + 16, crc32(bytes.subarray(m.dataOffset, m.dataOffset + m.size)), true); // … with a valid CRC
    v.setUint32(14, crc32(bytes.subarray(m.dataOffset, m.dataOffset + m.size)), true);
    writeFileSync(p, bytes);
    const err = expectError(() => readNpz(p), FileFormatError, /not a \.npy file/);
    expect(err.argument).toBe(`${p}:ok`);
  });
});

describe("writing", () => {
  it("writeNpz → readNpz round-trips every dtype bit for bit; the same arrays give the same bytes", () => {
    const arrays = {
      f8: { shape: [2, 3], data: new Float64Array([0, -0, 1e-310, Math.PI, -1e300, 7]) },
      f4: { shape: [3], data: new Float32Array([1.5, -2, 3.25]) },
      i4: { shape: [2, 1], data: new Int32Array([-7, 2 ** 31 - 1]) },
      i8: { shape: [], data: new BigInt64Array([-(2n ** 62n)]) },
    };
    const p = tmp("round.npz");
    writeNpz(p, arrays);
    const back = readNpz(p);
    for (const [k, a] of Object.entries(arrays)) {
      expect(back[k].shape).toEqual(a.shape);
      expect(new Uint8Array(back[k].data.buffer, back[k].data.byteOffset, back[k].data.byteLength)).toEqual(new Uint8Array(a.data.buffer));
    }
    expect(serializeNpz(arrays)).toEqual(new Uint8Array(readFileSync(p)));
  });

  it.skipIf(!hasNumpy)("numpy opens what writeNpz writes (np.load, and zipfile's own CRC check)", () => {
    const p = tmp("for-numpy.npz");
    writeNpz(p, { m: { shape: [2, 2], data: new Float64Array([1, 2, 3, 4.5]) }, text: { shape: [5], data: new TextEncoder().encode("héllo".slice(0, 4)) } });
    const r = spawnSync(PY, ["-c", `
import numpy as np, zipfile, sys
assert zipfile.ZipFile(sys.argv[1]).testzip() is None
z = np.load(sys.argv[1])
print(sorted(z.files), z["m"].tolist(), z["m"].dtype, z["text"].tobytes().decode())`, p], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("['m', 'text'] [[1.0, 2.0], [3.0, 4.5]] float64 héll");
  });
});

describe("openRows: row blocks at file offsets", () => {
  const m = randomMatrix(103, 7, 3);
  const f4 = new Matrix(m.rows, m.cols, Float64Array.from(Float32Array.from(m.data)));
  const npy = tmp("rows.npy");
  writeNpyMatrix(npy, m);
  const npz = tmp("rows.npz");
  writeNpz(npz, { x: { shape: [m.rows, m.cols], data: m.data }, y: { shape: [m.rows, m.cols], data: Float32Array.from(m.data) } });

  for (const [label, spec, want] of [["a .npy file", npy, m], ["a stored .npz member", `${npz}:x`, m], ["a float32 member", `${npz}:y`, f4], ["a deflated member", `${fixture("compressed.npz")}:queries`, readMatrix(`${fixture("stored.npz")}:queries`)]] as const) {
    it(`${label}: blocks of any size concatenate to the whole matrix`, () => {
      const src = openRows(spec);
      try {
        expect([src.rows, src.cols]).toEqual([want.rows, want.cols]);
        for (const block of [1, 4, 10, 64, want.rows]) {
          const parts: number[] = [];
          for (let s = 0; s < src.rows; s += block) parts.push(...src.read(s, Math.min(block, src.rows - s)));
          expect(parts).toEqual(Array.from(want.data));
        }
        src.finish();
      } finally {
        src.close();
      }
    });
  }

  it("a stored member's CRC-32 is checked once every row was read in order", () => {
    const bytes = new Uint8Array(readFileSync(npz));
    const member = listNpz(npz)[0];
    bytes[member.dataOffset + member.size - 3] ^= 0x10; // inside the last row of x
    const broken = tmp("rows-broken.npz");
    writeFileSync(broken, bytes);
    const src = openRows(`${broken}:x`);
    for (let s = 0; s < src.rows; s += 10) src.read(s, Math.min(10, src.rows - s));
    expectError(() => src.finish(), FileFormatError, /fails its CRC-32 check/);
    src.close();
  });

  it("the in-memory reader's checks: truncated data, 1-D arrays", () => {
    const vec = tmp("vec.npy");
    writeFileSync(vec, serializeNpy({ shape: [4], data: new Float64Array(4) }));
    expectError(() => openRows(vec), FileFormatError, /expected a 2-D array/);
    const cut = tmp("cut.npy");
    writeFileSync(cut, readFileSync(npy).subarray(0, 500));
    expectError(() => openRows(cut), FileFormatError, /truncated data: shape \(103, 7\) of float64 needs 5768 bytes, got \d+/);
  });

  it("a missing path or a directory is a FileSystemError naming it, for .npy and .npz alike; a refused file leaves no descriptor open", () => {
    // Linux shows the process's descriptors in /proc/self/fd; elsewhere only the errors are checked.
    const openFds = () => (existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : 0);
    const sub = tmp("a-directory.npz");
    mkdirSync(sub);
    const vector = tmp("refused-vector.npy"); // opens, then is refused: 1-D
    writeFileSync(vector, serializeNpy({ shape: [4], data: new Float64Array(4) }));
    const notZip = tmp("not-a-zip.npz"); // opens, then is refused: no zip directory
    writeFileSync(notZip, "not a zip archive");
    const before = openFds();
    for (const path of [tmp("absent.npy"), tmp("absent.npz")]) {
      expect(expectError(() => openRows(path), FileSystemError, /no such file/).code).toBe("ENOENT");
      expect(expectError(() => readMatrix(path), FileSystemError, /no such file/).code).toBe("ENOENT");
    }
    expect(expectError(() => openRows(dir), FileSystemError, /is a directory/).argument).toBe(dir);
    expect(expectError(() => readMatrix(dir), FileSystemError, /is a directory/).argument).toBe(dir);
    expect(expectError(() => openRows(`${sub}:x`), FileSystemError, /is a directory/).argument).toBe(sub);
    for (let i = 0; i < 20; i++) {
      expectError(() => openRows(vector), FileFormatError, /expected a 2-D array/);
      expectError(() => openRows(`${notZip}:x`), FileFormatError, /not a valid \.npz archive/);
    }
    expect(openFds()).toBe(before);
  });
});
