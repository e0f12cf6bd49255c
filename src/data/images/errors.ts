import { LatentBridgeError } from "../../errors";

/**
 * A data set (folder or file) that is not on this machine. The message says which command installs
 * it (`bash scripts/setup.sh`, or the Debian / npm package to install by hand).
 */
export class DatasetNotFoundError extends LatentBridgeError {}
