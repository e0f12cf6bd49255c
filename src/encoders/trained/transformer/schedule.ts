/**
 * The learning-rate schedule both transformer families train with: a linear warm-up to the peak
 * rate over the first `warmup` steps, then a cosine decay to `floor` × the peak at the last step.
 * Transformers trained with Adam at a constant rate from the first step diverge or stall (post-LN
 * especially: its gradients near the output are large at initialisation), hence the warm-up.
 */
import { InvalidParameterError } from "../../../errors";
import { assertFraction, assertPositiveNumber } from "../../../validate";

/** The rate at each step 0…total−1. @throws InvalidParameterError for a bad peak, step count, warm-up or floor. */
export function warmupCosine(peak: number, total: number, warmup: number, floor = 0.05): (step: number) => number {
  assertPositiveNumber(peak, "learningRate");
  if (!Number.isInteger(total) || total < 1) throw new InvalidParameterError("total", `expected a number of steps ≥ 1, got ${total}`);
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > total) throw new InvalidParameterError("warmup", `expected an integer in 0…${total}, got ${warmup}`);
  assertFraction(floor, "floor", "[]");
  return (step: number) => {
    if (step < warmup) return (peak * (step + 1)) / warmup;
    const t = total - warmup <= 1 ? 1 : (step - warmup) / (total - warmup - 1);
    return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
  };
}
