import { NotFittedError } from "../errors";

/** Guards the state that `fit` computes: reading it before `fit` is a typed error. */
export function requireFitted<T>(value: T | undefined, method: string): T {
  if (value === undefined) {
    throw new NotFittedError("transform", `${method}: call fit(anchorsX, anchorsY) before transform`);
  }
  return value;
}
