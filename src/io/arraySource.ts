/**
 * Matrices from files, whole or by row blocks, whatever their size: a `.npy` file, or an array of an
 * `.npz` archive (`x.npz` holding one array, or `x.npz:key`; see parseArraySpec).
 *
 *   readMatrix(spec)              the whole matrix in memory (anchors; files up to 2 GiB)
 *   openRows(spec)                a RowSource: the shape and dtype from the header, then rows read
 *                                 at file offsets, block by block, in float64 (any size: a `.npy`
 *                                 file, or an `.npz` member that is stored — numpy.savez — are read in
 *                                 place; a deflated member — savez_compressed — is inflated first)
 *
 * The checks are the in-memory reader's (header, 2-D shape, data size, int64 range), so a file is
 * refused or read the same way however it is read.
 */
import { closeSync } from "node:fs";
import { FileFormatError } from "../errors";
import { Matrix } from "../linalg/matrix";
import {
  dataSizeError, decodeData, matrixShape, npyToMatrix, parseNpy, readFully, readNpyHeaderAt, readNpyMatrix, toFloat64, useOpenFile,
  type NpyArray, type NpyDtype, type NpyHeader,
} from "./npy";
import { crc32, isNpzPath, openNpz, parseArraySpec, readMemberBytes, selectMember } from "./npz";

/** A matrix read by row blocks. */
export interface RowSource {
  /** What errors name: the path, or `path:key` for an archive member. */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** The dtype stored in the file (rows are read as float64 whatever it is). */
  readonly dtype: NpyDtype;
  /** Rows [start, start + count), row-major float64. */
  read(start: number, count: number): Float64Array;
  /**
   * After every row was read, in order: the checks that need all the bytes (an archive member's
   * CRC-32). A FileFormatError if they fail.
   */
  finish(): void;
  close(): void;
}

/**
 * The whole matrix `spec` names (a `.npy` path, `x.npz` or `x.npz:key`). Errors name `name`, by
 * default the path (`path:key` for an archive member).
 */
export function readMatrix(spec: string, name?: string): Matrix {
  const { path, key } = parseArraySpec(spec);
  if (!isNpzPath(path)) return readNpyMatrix(path, name ?? path);
  const archive = openNpz(path);
  try {
    const member = selectMember(archive.members, key, path);
    const label = name ?? `${path}:${member.key}`;
    return npyToMatrix(parseNpy(readMemberBytes(archive, member), label), label);
  } finally {
    closeSync(archive.fd);
  }
}

/** Opens the matrix `spec` names for reading by row blocks (see RowSource). Close it when done. */
export function openRows(spec: string, name?: string): RowSource {
  const { path, key } = parseArraySpec(spec);
  if (isNpzPath(path)) return openNpzRows(path, key, name);
  return useOpenFile(path, ".npy file", true, (fd, size) => fileRows(fd, 0, size, name ?? path, () => undefined));
}

function openNpzRows(path: string, key: string | undefined, name: string | undefined): RowSource {
  const archive = openNpz(path);
  let open = true; // closed once: a descriptor number closed twice may by then be another file's
  try {
    const member = selectMember(archive.members, key, path);
    const label = name ?? `${path}:${member.key}`;
    if (member.compression === "deflate") {
      const arr = parseNpy(readMemberBytes(archive, member), label);
      closeSync(archive.fd);
      open = false;
      return memoryRows(arr, label);
    }
    if (member.compressedSize !== member.size) {
      throw new FileFormatError(path, `not a valid .npz archive: stored member ${member.name} has ${member.compressedSize} bytes, its header says ${member.size}`);
    }
    // A stored member is a .npy file in place: read it as one, and check its CRC-32 once every byte went by.
    let crc = 0;
    let next = 0; // the next byte offset (within the member) the running CRC expects
    const source = fileRows(archive.fd, member.dataOffset, member.size, label, (offset, bytes) => {
      if (offset !== next) return;
      crc = crc32(bytes, crc);
      next += bytes.length;
    });
    return {
      ...source,
      finish() {
        if (next === member.size && crc !== member.crc32) {
          throw new FileFormatError(path, `not a valid .npz archive: member ${member.name} fails its CRC-32 check (corrupt)`);
        }
      },
    };
  } catch (e) {
    if (open) closeSync(archive.fd);
    throw e;
  }
}

/**
 * Rows of the `.npy` file that occupies bytes [base, base + size) of `fd` (a whole file, or a stored
 * archive member). `seen(offset, bytes)` is told about every byte read, by offset within the region.
 */
function fileRows(fd: number, base: number, size: number, name: string, seen: (offset: number, bytes: Uint8Array) => void): RowSource {
  const header: NpyHeader = readNpyHeaderAt(fd, base, name, size);
  const sizeError = dataSizeError(header, size - header.dataOffset, name);
  if (sizeError) throw sizeError;
  const [rows, cols] = matrixShape(header.shape, name);
  const rowBytes = cols * header.itemSize;
  const headerBytes = new Uint8Array(header.dataOffset);
  readFully(fd, headerBytes, base);
  seen(0, headerBytes);
  let open = true;
  return {
    name, rows, cols, dtype: header.dtype,
    read(start: number, count: number): Float64Array {
      checkRange(start, count, rows, name);
      const bytes = new Uint8Array(count * rowBytes);
      const offset = header.dataOffset + start * rowBytes;
      if (readFully(fd, bytes, base + offset) < bytes.length) {
        throw new FileFormatError(name, `truncated data: the file ended while rows ${start}–${start + count - 1} were read (it changed while being read?)`);
      }
      seen(offset, bytes);
      return toFloat64(decodeData(bytes, 0, count * cols, header.dtype, header.itemSize), cols, name, start);
    },
    finish() {},
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Rows of an array already in memory. */
function memoryRows(arr: NpyArray, name: string): RowSource {
  const [rows, cols] = matrixShape(arr.shape, name);
  return {
    name, rows, cols, dtype: arr.dtype,
    read(start: number, count: number): Float64Array {
      checkRange(start, count, rows, name);
      const part = arr.data.subarray(start * cols, (start + count) * cols);
      return Float64Array.from(toFloat64(part, cols, name, start));
    },
    finish() {},
    close() {},
  };
}

function checkRange(start: number, count: number, rows: number, name: string): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
    throw new RangeError(`${name}: rows [${start}, ${start + count}) are outside the ${rows} rows`);
  }
}
