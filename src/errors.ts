/**
 * Typed errors. Every error that bad input can cause names the argument at fault and says what was
 * expected, so a user reading a notebook traceback or CLI message knows what to fix.
 */
export class LatentBridgeError extends Error {
  /** The argument (function parameter, CLI flag or file) the error is about. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = new.target.name;
    this.argument = argument;
  }
}

/** A parameter outside its allowed range or of the wrong kind (δ ∉ [0,1), ω < 1, unknown method…). */
export class InvalidParameterError extends LatentBridgeError {}

/** Matrices whose shapes do not fit together (different dimensions, row counts, anchor counts…). */
export class ShapeMismatchError extends LatentBridgeError {}

/**
 * A NaN or ±Infinity where only finite numbers make sense: in an input, or in a result that would
 * overflow float64 (then `expected` says so, e.g. "the translation of x overflows float64").
 */
export class NonFiniteError extends LatentBridgeError {
  readonly row: number;
  readonly col: number;
  readonly value: number;
  readonly expected: string;
  constructor(argument: string, row: number, col: number, value: number, expected = "expected finite numbers") {
    super(argument, `${expected}, found ${value} at row ${row}, column ${col}`);
    this.row = row;
    this.col = col;
    this.value = value;
    this.expected = expected;
  }

  /** The same error about a block of rows that starts at row `offset` of the whole input (streaming). */
  atRowOffset(offset: number): NonFiniteError {
    return new NonFiniteError(this.argument, this.row + offset, this.col, this.value, this.expected);
  }
}

/** A row that cannot be L2-normalised because its norm is zero (after centring, where applicable). */
export class ZeroNormError extends LatentBridgeError {
  readonly row: number;
  readonly detail: string;
  constructor(argument: string, row: number, detail = "") {
    super(argument, `row ${row} has zero norm${detail}; every row must be a non-zero vector`);
    this.row = row;
    this.detail = detail;
  }

  /** The same error about a block of rows that starts at row `offset` of the whole input (streaming). */
  atRowOffset(offset: number): ZeroNormError {
    return new ZeroNormError(this.argument, this.row + offset, this.detail);
  }
}

/** Fewer anchors than a method needs. */
export class TooFewAnchorsError extends LatentBridgeError {}

/**
 * Anchors that determine no translation although there are enough of them: all equal up to rounding
 * (no spread around their mean: fewer than two distinct anchors, hence a TooFewAnchorsError), or
 * spaces whose anchors are uncorrelated (zero cross-covariance: no rotation is preferred).
 */
export class DegenerateAnchorsError extends TooFewAnchorsError {}

/** A file that is not what it claims to be (bad .npy magic, header, dtype, truncated data…). */
export class FileFormatError extends LatentBridgeError {}

/**
 * A file or directory that cannot be read or written for a reason of the file system (missing,
 * permission denied, a directory where a file is expected, a file where a directory is expected…).
 * `argument` is the path; `code` the system's error code (ENOENT, EACCES, EISDIR, ENOTDIR…).
 */
export class FileSystemError extends LatentBridgeError {
  readonly code: string | undefined;
  constructor(path: string, message: string, code?: string) {
    super(path, message);
    this.code = code;
  }
}

/**
 * An archive (`.npz`) that holds no array of the requested name, or several when none was named.
 * `keys` lists the arrays it does hold; the message names them and says how to pick one (`path.npz:key`).
 */
export class ArchiveKeyError extends LatentBridgeError {
  readonly keys: string[];
  constructor(path: string, keys: string[], message: string) {
    super(path, message);
    this.keys = keys;
  }
}

/** A file larger than what the reader can load at once (`size` and `limit` in bytes). */
export class FileTooLargeError extends LatentBridgeError {
  readonly size: number;
  readonly limit: number;
  constructor(path: string, size: number, limit: number, message: string) {
    super(path, message);
    this.size = size;
    this.limit = limit;
  }
}

/**
 * A write stopped by a signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP) before the file was complete;
 * the temporary file was removed and the target left as it was. `argument` is the path.
 */
export class InterruptedError extends LatentBridgeError {
  readonly signal: string;
  constructor(path: string, signal: string, message: string) {
    super(path, `${message} (${signal})`);
    this.signal = signal;
  }
}

/**
 * A process waited longer than its limit for another process computing the same cache entry
 * (io/claim.ts). `argument` is the entry; `lockPath` the lock file, `holder` what it says about the
 * process holding it, `waitedMs` how long this one waited.
 */
export class LockTimeoutError extends LatentBridgeError {
  readonly lockPath: string;
  readonly waitedMs: number;
  readonly holder: { pid: number; hostname: string; started: string } | undefined;
  constructor(entry: string, lockPath: string, waitedMs: number, holder?: { pid: number; hostname: string; started: string }) {
    const who = holder === undefined ? "an unknown process" : `pid ${holder.pid} on ${holder.hostname} (since ${holder.started})`;
    super(entry, `waited ${(waitedMs / 1000).toFixed(1)} s for ${who} to compute it, the limit; `
      + `set LATENT_BRIDGE_LOCK_TIMEOUT (seconds) to wait longer, or remove ${lockPath} if no process is computing it`);
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
    this.holder = holder === undefined ? undefined : { pid: holder.pid, hostname: holder.hostname, started: holder.started };
  }
}

/** An iterative algorithm (the SVD's QR iteration) that did not converge within its step cap. */
export class ConvergenceError extends LatentBridgeError {}

/** An estimator used before `fit`. */
export class NotFittedError extends LatentBridgeError {}

/**
 * A data set, model or cache that is not on this machine. The message names the command that
 * brings it (usually `bash scripts/setup.sh`).
 */
export class MissingDataError extends LatentBridgeError {}

/**
 * A program or package that is not installed (Chromium for figure export, an npm package…).
 * `dependency` names it and `install` is a command that installs it.
 */
export class MissingDependencyError extends LatentBridgeError {
  readonly dependency: string;
  readonly install: string;
  constructor(dependency: string, message: string, install: string) {
    super(dependency, message);
    this.dependency = dependency;
    this.install = install;
  }
}
