/**
 * The parameter checks shared by the trained encoders' specs, the layer-wise rescaling grids and the
 * metrics (src/validate.ts): each accepts exactly its domain and refuses the rest with an
 * InvalidParameterError whose message names the argument and what was expected.
 */
import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "../src/errors";
import { assertFraction, assertLayerIndex, assertPredictor, checkBatchSize, checkFactors } from "../src/validate";

describe("shared parameter checks", () => {
  it("assertFraction: [0, 1) by default, each end open or closed as asked, NaN and non-numbers refused", () => {
    expect(assertFraction(0, "warmup")).toBe(0);
    expect(assertFraction(0.99, "warmup")).toBe(0.99);
    expect(() => assertFraction(1, "warmup", "[)", "a fraction of the steps")).toThrow("warmup: expected a fraction of the steps in [0, 1), got 1");
    expect(() => assertFraction(0, "maskRate", "()", "a share of the tokens")).toThrow("maskRate: expected a share of the tokens in (0, 1), got 0");
    expect(assertFraction(1, "floor", "[]")).toBe(1);
    expect(() => assertFraction(-1e-9, "floor", "[]")).toThrow(/^floor: expected a fraction in \[0, 1\]/);
    for (const bad of [NaN, "0.5", undefined, null]) expect(() => assertFraction(bad, "f")).toThrow(InvalidParameterError);
  });

  it("checkBatchSize: the fallback when undefined, else an integer ≥ 1", () => {
    expect(checkBatchSize(undefined, 8)).toBe(8);
    expect(checkBatchSize(3, 8)).toBe(3);
    expect(() => checkBatchSize(0, 8)).toThrow("batchSize: expected an integer ≥ 1, got 0");
    expect(() => checkBatchSize(2.5, 8)).toThrow(InvalidParameterError);
  });

  it("assertLayerIndex: 0 (embeddings) … depth", () => {
    expect(assertLayerIndex(0, 4)).toBe(0);
    expect(assertLayerIndex(4, 4)).toBe(4);
    expect(() => assertLayerIndex(5, 4, "to")).toThrow("to: expected a layer in 0…4 (0 = embeddings, l = after block l), got 5");
    expect(() => assertLayerIndex(-1, 4)).toThrow(InvalidParameterError);
    expect(() => assertLayerIndex(1.5, 4)).toThrow(InvalidParameterError);
  });

  it("assertPredictor and checkFactors (a grid's head and α values)", () => {
    const head = { predict: () => new Int32Array(0) };
    expect(assertPredictor(head)).toBe(head);
    expect(() => assertPredictor({ predict: 3 })).toThrow(/^head: expected a trained head with predict/);
    expect(() => assertPredictor(null as unknown as { predict: unknown })).toThrow(InvalidParameterError);
    expect(checkFactors([0.5, 2], "alphas")).toEqual([0.5, 2]);
    expect(() => checkFactors([], "alphas")).toThrow("alphas: expected a non-empty array of factors > 0");
    expect(() => checkFactors([1, 0], "alphas")).toThrow(/^alphas\[1\]: expected a finite number > 0/);
    expect(() => checkFactors([Infinity], "alphas")).toThrow(InvalidParameterError);
  });
});
