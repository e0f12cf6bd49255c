import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listDatasets, listEncoders } from "../src/catalogue";
import { EMOJI_ENCODERS, EMOJI_VIT_SPECS } from "../src/experiments/emojiSpaces";

describe("catalogue", () => {
  it("lists every encoder with its dimension and license", () => {
    const enc = listEncoders();
    const byId = Object.fromEntries(enc.map((e) => [e.id, e]));
    expect(byId.mobilenet_v2.dim).toBe(1280);
    expect(byId.mobilenet_v2_mid.dim).toBe(1792);
    expect(byId.inception_v3.dim).toBe(2048);
    expect(byId["glove-100d"].dim).toBe(100);
    expect(enc.filter((e) => e.kind === "self-trained").length).toBeGreaterThanOrEqual(6);
    // The transformers, the emoji ViTs among them (ids as emojiSpaces knows them), with their widths.
    expect(byId["vit-emoji-pre-d64-l4-s0"]).toMatchObject({ modality: "image", dim: 64 });
    expect(byId["vit-emoji-post-d96-l4-s1"]).toMatchObject({ modality: "image", dim: 96 });
    for (const id of EMOJI_VIT_SPECS.map((s) => s.id)) expect(EMOJI_ENCODERS).toContain(id);
    for (const e of enc) expect(e.license.length).toBeGreaterThan(2);
  });

  it("measures data sets live and says how to bring a missing one", () => {
    const [fm] = listDatasets({ only: ["fashion-mnist"] });
    expect(fm.status).toBe("ok");
    expect([fm.train, fm.test, fm.classes]).toEqual([60000, 10000, 10]);
    const saved = process.env.LATENT_BRIDGE_CACHE_DIR;
    process.env.LATENT_BRIDGE_CACHE_DIR = mkdtempSync(join(tmpdir(), "lb-empty-cache-"));
    try {
      const [deb] = listDatasets({ only: ["debian-descriptions"] });
      expect(deb.train).toBeNull();
      expect(deb.status).toMatch(/scripts\/setup\.sh/);
    } finally {
      if (saved === undefined) delete process.env.LATENT_BRIDGE_CACHE_DIR;
      else process.env.LATENT_BRIDGE_CACHE_DIR = saved;
    }
  });
});
