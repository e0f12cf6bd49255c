/**
 * Tokenisers of the trained text encoders.
 *
 * Every text is Unicode-NFKC-normalised (full-width Latin → ASCII, half-width katakana → full-width)
 * and lower-cased; tokens are the maximal runs of letters, marks and digits (\p{L}\p{M}\p{N}).
 * Inside a run, Japanese/Chinese characters (Han, Hiragana, Katakana, "ー", "々") are split off and
 * segmented by the tokeniser's `cjk` mode, because those scripts do not separate words by spaces:
 *
 *   "kuromoji" (default): morphological analysis with kuromoji 0.1.2 (IPADIC, shipped inside the npm
 *              package in node_modules/kuromoji/dict); each morpheme contributes its dictionary
 *              form (basic_form, e.g. 含まれています → 含む / れる / て / いる) or, for unknown words,
 *              its surface form. Measured here (2 shared cores): the dictionary loads in 0.7–0.8 s
 *              (≈300 MB of heap), then 160k–210k characters/s — the 12,861 Japanese gettext train
 *              messages (334k characters) in 1.6 s, all 5,776 Japanese Debian descriptions (1.4M
 *              characters) in 8.8 s. Fast enough for corpora of this size, and far better units
 *              than character n-grams (dictionary forms, real word boundaries), so it is the default.
 *   "bigram":  overlapping character bigrams of each CJK run (a run of one character is itself a
 *              token) — no dictionary, ~50× faster (the Debian set in 0.16 s); the fallback.
 *
 * Other scripts (Latin, Cyrillic, Greek, Hangul…) keep their whitespace-delimited runs.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { InvalidParameterError } from "../../errors";
import { installedPackage, PretrainedModelError } from "../pretrained/packageDir";

export type CjkMode = "kuromoji" | "bigram";
export const CJK_MODES: readonly CjkMode[] = ["kuromoji", "bigram"];

/** A text → tokens function, with the mode it was made with. */
export interface Tokenizer {
  (text: string): string[];
  readonly cjk: CjkMode;
}

const RUN = /[\p{L}\p{M}\p{N}]+/gu;
const CJK_PIECE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+/gu;
const IS_CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]/u;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]/u;
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

/** kuromoji's tokenizer object (the part we use). */
interface KuromojiToken {
  surface_form: string;
  basic_form: string;
}
interface KuromojiTokenizer {
  tokenize(text: string): KuromojiToken[];
}

function splitText(text: string, segment: (cjkRun: string, out: string[]) => void): string[] {
  if (typeof text !== "string") throw new InvalidParameterError("text", `expected a string, got ${typeof text}`);
  const out: string[] = [];
  for (const m of text.normalize("NFKC").toLowerCase().matchAll(RUN)) {
    const run = m[0];
    if (!HAS_CJK.test(run)) {
      out.push(run);
      continue;
    }
    for (const p of run.matchAll(CJK_PIECE)) {
      if (IS_CJK.test(p[0])) segment(p[0], out);
      else out.push(p[0]);
    }
  }
  return out;
}

function bigrams(run: string, out: string[]): void {
  const chars = Array.from(run);
  if (chars.length === 1) out.push(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
}

/** The tokeniser with character bigrams for CJK (synchronous; no dictionary). */
export const bigramTokenizer: Tokenizer = Object.assign((text: string) => splitText(text, bigrams), { cjk: "bigram" as const });

let kuromojiPending: Promise<KuromojiTokenizer> | undefined;

/** Loads kuromoji's IPADIC dictionary once per process (it takes a moment). */
export function loadKuromoji(): Promise<KuromojiTokenizer> {
  if (kuromojiPending === undefined) {
    kuromojiPending = new Promise<KuromojiTokenizer>((resolve, reject) => {
      let pkgDir: string;
      try {
        pkgDir = installedPackage("kuromoji").dir;
      } catch (e) {
        reject(e);
        return;
      }
      const req = createRequire(join(pkgDir, "package.json"));
      const kuromoji = req(pkgDir) as {
        builder(o: { dicPath: string }): { build(cb: (err: unknown, t: KuromojiTokenizer) => void): void };
      };
      kuromoji.builder({ dicPath: join(pkgDir, "dict") }).build((err, t) => {
        if (err) reject(new PretrainedModelError("kuromoji", `cannot load the IPADIC dictionary from ${join(pkgDir, "dict")}: ${String(err)}`));
        else resolve(t);
      });
    }).catch((e: unknown) => {
      kuromojiPending = undefined;
      throw e;
    });
  }
  return kuromojiPending;
}

function kuromojiTokenizerOf(k: KuromojiTokenizer): Tokenizer {
  const segment = (run: string, out: string[]) => {
    for (const t of k.tokenize(run)) {
      const form = t.basic_form && t.basic_form !== "*" ? t.basic_form : t.surface_form;
      if (HAS_WORD_CHAR.test(form)) out.push(form);
    }
  };
  return Object.assign((text: string) => splitText(text, segment), { cjk: "kuromoji" as const });
}

/** The tokeniser of a CJK mode (loading kuromoji's dictionary the first time it is asked for). */
export async function getTokenizer(cjk: CjkMode = "kuromoji"): Promise<Tokenizer> {
  if (!CJK_MODES.includes(cjk)) throw new InvalidParameterError("cjk", `expected "kuromoji" or "bigram", got ${JSON.stringify(cjk)}`);
  return cjk === "bigram" ? bigramTokenizer : kuromojiTokenizerOf(await loadKuromoji());
}

/** Whether a text contains Japanese/Chinese characters (then the CJK mode matters). */
export function hasCjk(text: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text);
}
