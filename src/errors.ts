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

/** A NaN or ±Infinity where only finite numbers make sense. */
export class NonFiniteError extends LatentBridgeError {
  readonly row: number;
  readonly col: number;
  constructor(argument: string, row: number, col: number, value: number) {
    super(argument, `expected finite numbers, found ${value} at row ${row}, column ${col}`);
    this.row = row;
    this.col = col;
  }
}

/** A row that cannot be L2-normalised because its norm is zero (after centring, where applicable). */
export class ZeroNormError extends LatentBridgeError {
  readonly row: number;
  constructor(argument: string, row: number, detail = "") {
    super(argument, `row ${row} has zero norm${detail}; every row must be a non-zero vector`);
    this.row = row;
  }
}

/** Fewer anchors than a method needs. */
export class TooFewAnchorsError extends LatentBridgeError {}

/** A file that is not what it claims to be (bad .npy magic, header, dtype, truncated data…). */
export class FileFormatError extends LatentBridgeError {}

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
