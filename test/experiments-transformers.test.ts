/**
 * The verdicts the notebooks print about the transformers (src/experiments/reports): Fig. 2's
 * layer-wise tolerance per encoder and its pre- vs post-LN sentence.
 */
import { describe, expect, it } from "vitest";
import { transformerLayerwiseVerdict, type TransformerGrid } from "../src/experiments/reports/scale";

/** A grid from per-layer accuracies over the α values [0.1, 1, 10]. */
function grid(encoder: string, norm: "pre" | "post", byLayer: number[][], unrescaled = 0.8): TransformerGrid {
  const alphas = [0.1, 1, 10];
  return { encoder, norm, depth: byLayer.length - 1, unrescaledAccuracy: unrescaled, rows: byLayer.flatMap((accs, layer) => accs.map((accuracy, k) => ({ layer, alpha: alphas[k], accuracy }))) };
}

describe("Fig. 2 on transformers", () => {
  it("a layer tolerates rescaling at ≥ 80 % of the α grid within 0.05; the paper's claim needs half the layers", () => {
    const pre = grid("vit-pre", "pre", [[0.2, 0.8, 0.1], [0.5, 0.79, 0.6], [0.7, 0.8, 0.77], [0.8, 0.8, 0.8]]);
    const post = grid("vit-post", "post", [[0.5, 0.8, 0.78], [0.76, 0.8, 0.8], [0.8, 0.8, 0.8], [0.6, 0.8, 0.8]]);
    const v = transformerLayerwiseVerdict([pre, post]);
    expect(v.perEncoder[0]).toMatchObject({ encoder: "vit-pre", norm: "pre-LN", toleratingLayers: "1/4 (3)", paperClaim: "does not hold" });
    expect(v.perEncoder[0].toleratedShareByLayer).toBe("0: 0.33, 1: 0.33, 2: 0.67, 3: 1.00");
    // Inner layers are 1 and 2: (1/3 + 2/3) / 2.
    expect(v.perEncoder[0].innerMeanShare).toBeCloseTo(0.5, 12);
    expect(v.perEncoder[1]).toMatchObject({ toleratingLayers: "2/4 (1, 2)", paperClaim: "holds", innerMeanShare: 1 });
    expect(v.prePost).toBe("inner layers keep the accuracy within 0.05 over 100 % of the α grid in post-LN encoders and 50 % in pre-LN ones: post-LN tolerates rescaling better");
  });

  it("says so when only one placement was measured, and when the placements are within 0.1 of each other", () => {
    const flat = [[0.8, 0.8, 0.8], [0.8, 0.8, 0.8], [0.8, 0.8, 0.8]];
    expect(transformerLayerwiseVerdict([grid("a", "post", flat)]).prePost).toBe("only one LayerNorm placement was measured");
    expect(transformerLayerwiseVerdict([grid("a", "post", flat), grid("b", "pre", flat)]).prePost).toMatch(/no clear difference$/);
  });
});
