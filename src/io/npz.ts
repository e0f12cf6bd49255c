/**
 * NumPy `.npz` archives: what `numpy.savez` (members stored) and `numpy.savez_compressed` (members
 * deflated) write — a zip file of `.npy` members, one per array, named `<key>.npy`.
 *
 *   listNpz(path)                  the members (key, compression, sizes, where the data starts)
 *   readNpzArray(path, key?)       one array (the only one when `key` is omitted)
 *   readNpz(path)                  every array, by key
 *   writeNpz(path, arrays)         an archive numpy opens with np.load (members stored), atomically
 *   parseArraySpec("a.npz:train")  { path: "a.npz", key: "train" } — how the CLI names a member
 *
 * Only what numpy writes is read: stored or deflate members, not encrypted, on one disk, of an
 * archive below 4 GiB (zip64 *archives* are refused with a FileFormatError saying to use .npy; the
 * zip64 extra field numpy puts on every local header is fine). Every member's CRC-32 is checked.
 * Corrupt or truncated archives are FileFormatErrors naming the file; a missing or ambiguous key is an
 * ArchiveKeyError listing the keys there are.
 *
 * Format reference: PKWARE APPNOTE.TXT, sections 4.3 (structure) and 4.4 (fields).
 */
import { closeSync } from "node:fs";
import * as zlib from "node:zlib";
import { ArchiveKeyError, FileFormatError, FileTooLargeError, InvalidParameterError } from "../errors";
import { writeFileAtomic } from "./atomicWrite";
import { DESCR, NPY_READ_LIMIT, littleEndianBytes, npyHeaderBytes, parseNpy, readFully, useOpenFile, type NpyArray, type NpyData } from "./npy";

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const STORED = 0;
const DEFLATE = 8;
const COMPRESSION_NAMES: Record<number, string> = { 1: "shrink", 6: "implode", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard", 95: "xz" };

/** One member of an archive, as its central directory describes it. */
export interface NpzMember {
  /** The member's file name in the archive, e.g. "train.npy". */
  name: string;
  /** The array's key, as np.load gives it: the name without ".npy". */
  key: string;
  /** "stored" (np.savez) or "deflate" (np.savez_compressed). */
  compression: "stored" | "deflate";
  /** Bytes in the archive, and of the `.npy` file once inflated. */
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the member's data (after its local header) in the archive. */
  dataOffset: number;
}

/** CRC-32 (ISO-HDLC, as zip): node:zlib's where it exists (Node ≥ 20.15), else a table-driven one. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (typeof native === "function") return native(bytes, initial);
  let c = ~initial >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * How a command line names an array: "x.npy", "x.npz" (its only array) or "x.npz:key". The key is
 * split off only when what precedes the last ':' ends in .npz (so "C:\\x.npy" and paths with colons
 * stay whole).
 */
export function parseArraySpec(spec: string): { path: string; key?: string } {
  const m = /^(.*\.npz):([^/\\]*)$/i.exec(spec);
  if (m && m[1] !== "") return { path: m[1], key: m[2] };
  return { path: spec };
}

/** Whether a path names an .npz archive (by its extension). */
export function isNpzPath(path: string): boolean {
  return /\.npz$/i.test(path);
}

/** An open archive: its file descriptor, size and members (close with `closeNpz`). */
export interface OpenNpz {
  path: string;
  fd: number;
  size: number;
  members: NpzMember[];
}

/** Opens an archive and reads its central directory. The caller closes `fd` (closeSync). */
export function openNpz(path: string): OpenNpz {
  return useOpenFile(path, ".npz file", true, (fd, size) => ({ path, fd, size, members: readCentralDirectory(fd, size, path) }));
}

/** The members of an archive (see NpzMember). */
export function listNpz(path: string): NpzMember[] {
  const archive = openNpz(path);
  closeSync(archive.fd);
  return archive.members;
}

function readCentralDirectory(fd: number, size: number, path: string): NpzMember[] {
  const fail = (message: string): never => {
    throw new FileFormatError(path, `not a valid .npz archive: ${message}`);
  };
  if (size < EOCD_SIZE) fail(`the file is ${size} bytes, too short for a zip archive (numpy.savez writes one)`);
  // The end-of-central-directory record is the last 22 bytes, unless a comment follows it.
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = new Uint8Array(tailLength);
  readFully(fd, tail, size - tailLength);
  const view = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE && i + EOCD_SIZE + view.getUint16(i + 20, true) === tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail("no end-of-central-directory record (not a zip file, or truncated)");
  const disk = view.getUint16(eocd + 4, true), cdDisk = view.getUint16(eocd + 6, true);
  const entriesHere = view.getUint16(eocd + 8, true), entries = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true), cdOffset = view.getUint32(eocd + 16, true);
  const zip64 = (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIGNATURE) ||
    entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  if (zip64) throw zip64Error(path);
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== entries) fail("archives spanning several disks are not supported");
  const eocdOffset = size - tailLength + eocd;
  if (cdOffset + cdSize > eocdOffset) fail(`the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record (truncated or corrupt)`);

  const cd = new Uint8Array(cdSize);
  readFully(fd, cd, cdOffset);
  const cv = new DataView(cd.buffer);
  const members: NpzMember[] = [];
  let p = 0;
  for (let e = 0; e < entries; e++) {
    if (p + CENTRAL_HEADER_SIZE > cdSize || cv.getUint32(p, true) !== CENTRAL_SIGNATURE) fail(`central directory entry ${e} is corrupt`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    const crc = cv.getUint32(p + 16, true);
    const compressedSize = cv.getUint32(p + 20, true), uncompressedSize = cv.getUint32(p + 24, true);
    const nameLength = cv.getUint16(p + 28, true), extraLength = cv.getUint16(p + 30, true), commentLength = cv.getUint16(p + 32, true);
    const localOffset = cv.getUint32(p + 42, true);
    if (p + CENTRAL_HEADER_SIZE + nameLength > cdSize) fail(`central directory entry ${e} is corrupt`);
    const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLength);
    const name = new TextDecoder(flags & 0x800 ? "utf-8" : "latin1").decode(nameBytes);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localOffset === 0xffffffff) throw zip64Error(path, name);
    if (flags & 0x1) fail(`member ${name} is encrypted`);
    if (method !== STORED && method !== DEFLATE) {
      throw new FileFormatError(
        path,
        `member ${name} uses compression method ${method}${COMPRESSION_NAMES[method] ? ` (${COMPRESSION_NAMES[method]})` : ""}, which is not supported; numpy.savez stores members and numpy.savez_compressed deflates them — re-save the arrays with one of those`,
      );
    }
    members.push({
      name, key: name.replace(/\.npy$/, ""), compression: method === STORED ? "stored" : "deflate",
      compressedSize, size: uncompressedSize, crc32: crc, dataOffset: localDataOffset(fd, localOffset, nameBytes, size, path, fail),
    });
    if (members[members.length - 1].dataOffset + compressedSize > cdOffset) fail(`member ${name}'s data runs past the start of the central directory (truncated or corrupt)`);
    p += CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
  }
  return members;
}

/** Where a member's data starts: after its local header, whose extra field may differ from the central one (numpy's zip64 extra). */
function localDataOffset(fd: number, offset: number, name: Uint8Array, size: number, path: string, fail: (m: string) => never): number {
  const header = new Uint8Array(LOCAL_HEADER_SIZE + name.length);
  if (offset + header.length > size || readFully(fd, header, offset) < header.length) fail(`the local header at offset ${offset} is missing (truncated)`);
  const v = new DataView(header.buffer);
  if (v.getUint32(0, true) !== LOCAL_SIGNATURE) fail(`no local header at offset ${offset} (corrupt)`);
  for (let i = 0; i < name.length; i++) {
    if (header[LOCAL_HEADER_SIZE + i] !== name[i]) fail(`the local header at offset ${offset} names another member than the central directory (corrupt)`);
  }
  return offset + LOCAL_HEADER_SIZE + v.getUint16(26, true) + v.getUint16(28, true);
}

function zip64Error(path: string, member?: string): FileFormatError {
  return new FileFormatError(
    path,
    `${member ? `member ${member} of ` : ""}this archive needs zip64 (members or the archive beyond 4 GiB), which this reader does not support; save such arrays with np.save as .npy files — those are read (and streamed by translate and apply) at any size`,
  );
}

/** The member `key` names (with or without ".npy"), or the only member when `key` is undefined. */
export function selectMember(members: readonly NpzMember[], key: string | undefined, path: string): NpzMember {
  const keys = members.map((m) => m.key);
  const listed = keys.length === 0 ? "no arrays" : `${keys.length === 1 ? "one array" : `${keys.length} arrays`}: ${keys.map((k) => JSON.stringify(k)).join(", ")}`;
  if (key === undefined) {
    if (members.length === 1) return members[0];
    throw new ArchiveKeyError(
      path, keys,
      members.length === 0
        ? "the archive holds no arrays"
        : `the archive holds ${listed}; name one as ${path}:<key>, e.g. ${path}:${keys[0]}`,
    );
  }
  const found = members.find((m) => m.key === key || m.name === key);
  if (found) return found;
  throw new ArchiveKeyError(path, keys, `no array ${JSON.stringify(key)} in the archive; it holds ${listed}`);
}

/** The bytes of a member (its `.npy` file), inflated if needed, CRC-checked. */
export function readMemberBytes(archive: OpenNpz, member: NpzMember): Uint8Array {
  const label = `${archive.path}:${member.key}`;
  if (member.compressedSize > NPY_READ_LIMIT || member.size > NPY_READ_LIMIT) {
    throw new FileTooLargeError(
      label, member.size, NPY_READ_LIMIT,
      `the member is ${member.size.toLocaleString("en-US")} bytes, more than can be loaded at once (2 GiB − 1); an uncompressed member (np.savez, not savez_compressed) is streamed by translate and apply, as a .npy file is`,
    );
  }
  const raw = new Uint8Array(member.compressedSize);
  if (readFully(archive.fd, raw, member.dataOffset) < raw.length) {
    throw new FileFormatError(archive.path, `not a valid .npz archive: member ${member.name} is truncated`);
  }
  let bytes: Uint8Array = raw;
  if (member.compression === "deflate") {
    try {
      bytes = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, member.size) });
    } catch (e) {
      throw new FileFormatError(archive.path, `not a valid .npz archive: member ${member.name}'s compressed data is corrupt (${(e as Error).message})`);
    }
    if (bytes.length !== member.size) {
      throw new FileFormatError(archive.path, `not a valid .npz archive: member ${member.name} inflates to ${bytes.length} bytes, its header says ${member.size}`);
    }
  } else if (raw.length !== member.size) {
    throw new FileFormatError(archive.path, `not a valid .npz archive: stored member ${member.name} has ${raw.length} bytes, its header says ${member.size}`);
  }
  if (crc32(bytes) !== member.crc32) {
    throw new FileFormatError(archive.path, `not a valid .npz archive: member ${member.name} fails its CRC-32 check (corrupt)`);
  }
  return bytes;
}

/** One array of an archive: the one `key` names, or its only one. FileFormatErrors of the `.npy` inside name `path:key`. */
export function readNpzArray(path: string, key?: string): NpyArray {
  const archive = openNpz(path);
  try {
    const member = selectMember(archive.members, key, path);
    return parseNpy(readMemberBytes(archive, member), `${path}:${member.key}`);
  } finally {
    closeSync(archive.fd);
  }
}

/** Every array of an archive, by key. */
export function readNpz(path: string): Record<string, NpyArray> {
  const archive = openNpz(path);
  try {
    const out: Record<string, NpyArray> = {};
    for (const m of archive.members) out[m.key] = parseNpy(readMemberBytes(archive, m), `${path}:${m.key}`);
    return out;
  } finally {
    closeSync(archive.fd);
  }
}

/** An array to write: a typed array with its shape, or raw bytes with their NumPy dtype ("|u1" for a Uint8Array). */
export type NpzEntry = { shape: number[]; data: NpyData | Uint8Array };

/** The `.npy` bytes of an entry. */
function entryBytes(key: string, entry: NpzEntry): Uint8Array {
  const { shape, data } = entry;
  const descr = data instanceof Uint8Array ? "|u1" : data instanceof Float64Array ? DESCR.float64 : data instanceof Float32Array ? DESCR.float32
    : data instanceof Int32Array ? DESCR.int32 : data instanceof BigInt64Array ? DESCR.int64 : undefined;
  if (descr === undefined) throw new InvalidParameterError(key, "expected a Float64Array, Float32Array, Int32Array, BigInt64Array or Uint8Array");
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== data.length) {
    throw new InvalidParameterError(key, `shape ${JSON.stringify(shape)} does not fit ${data.length} values`);
  }
  const header = npyHeaderBytes(descr, shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(littleEndianBytes(data), header.length);
  return out;
}

/**
 * The bytes of an `.npz` archive holding `arrays` (stored members, in the order given, with a fixed
 * timestamp so the same arrays give the same bytes), as numpy.savez writes them.
 */
export function serializeNpz(arrays: Record<string, NpzEntry>): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [key, entry] of Object.entries(arrays)) {
    if (!/^[\w.-]+$/.test(key)) throw new InvalidParameterError("arrays", `key ${JSON.stringify(key)}: use letters, digits, '_', '.' and '-'`);
    const data = entryBytes(key, entry);
    const name = encoder.encode(`${key}.npy`);
    const crc = crc32(data);
    const local = new Uint8Array(LOCAL_HEADER_SIZE + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL_SIGNATURE, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(8, STORED, true);
    lv.setUint16(12, DOS_DATE_1980, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, LOCAL_HEADER_SIZE);
    const cd = new Uint8Array(CENTRAL_HEADER_SIZE + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, CENTRAL_SIGNATURE, true);
    cv.setUint16(4, 20, true); // made by: 2.0, MS-DOS attributes
    cv.setUint16(6, 20, true);
    cv.setUint16(10, STORED, true);
    cv.setUint16(14, DOS_DATE_1980, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, CENTRAL_HEADER_SIZE);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  if (offset + cdSize > 0xfffffffe || central.length > 0xfffe) {
    throw new InvalidParameterError("arrays", "more than 4 GiB or 65,534 arrays: beyond a zip archive without zip64; save large arrays as .npy");
  }
  const eocd = new Uint8Array(EOCD_SIZE);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, EOCD_SIGNATURE, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + EOCD_SIZE);
  let at = 0;
  for (const b of [...parts, ...central, eocd]) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** MS-DOS date of 1980-01-01 (day 1, month 1, year 0), time 00:00: a fixed timestamp. */
const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;

/** Writes an `.npz` archive (see serializeNpz) atomically: a reader sees the old file or the whole new one. */
export function writeNpz(path: string, arrays: Record<string, NpzEntry>): void {
  writeFileAtomic(path, serializeNpz(arrays));
}
