/**
 * Emoji images as a small labelled image data set, from the npm packages
 * `emoji-datasource-google` (Noto Emoji images) and `emoji-datasource-twitter` (Twemoji images),
 * both 16.0.0: catalog data from iamcal/emoji-data (MIT), 64×64 PNGs under img/<set>/64/.
 *
 * Items: every base emoji of the catalog that has an image in the chosen set (skin-tone variants,
 * `skin_variations`, are not separate items). Label = Unicode emoji category. The 5 "Component"
 * entries (the Fitzpatrick skin-tone swatches) are dropped: they are not pictures of anything and
 * 5 items cannot make a class, which leaves 9 categories (1 906 items in 16.0.0).
 *
 * Fixed split: within each category (catalog order = Unicode `sort_order`), a permutation drawn
 * with `Random(EMOJI_SPLIT_SEED)` puts round(20 %) of the items in "test" and the rest in "train".
 * The split is computed over the whole catalog before filtering by image availability, so an emoji
 * is in the same split for both image sets (what cross-set experiments need).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileFormatError, InvalidParameterError, MissingDataError } from "../../errors";
import { Random } from "../../linalg/random";
import { resolveInstalled } from "../../resolvePackage";
import { decodePng, rgbaOnWhite } from "./png";
import { resizeBilinear } from "./resize";
import { stratifiedSubset } from "../subset";

export { decodePng, decodePngBytes, rgbaOnWhite, type RgbaImage } from "./png";

export type EmojiSet = "google" | "twitter";
export type EmojiSplit = "train" | "test" | "all";

export const EMOJI_SETS: readonly EmojiSet[] = Object.freeze(["google", "twitter"] as EmojiSet[]);
export const EMOJI_SPLIT_SEED = 20240531;
export const EMOJI_TEST_FRACTION = 0.2;
/** Categories left out of the data set (see the module comment). */
export const EMOJI_DROPPED_CATEGORIES: readonly string[] = Object.freeze(["Component"]);
export const EMOJI_LICENSE =
  "data MIT (iamcal/emoji-data); images: Noto Emoji Apache-2.0 (google) / Twemoji CC-BY-4.0 (twitter)";
/** Side of the PNGs that `emojiPixels` reads. */
export const EMOJI_IMAGE_SIZE = 64;

/** One emoji (independent of the image set: pass the set to `emojiImagePath`/`emojiPixels`). */
export interface EmojiItem {
  /** Unicode name, lower-cased ("grinning face"). */
  name: string;
  shortNames: string[];
  category: string;
  subcategory: string;
  /** Code points, upper-case hex joined by "-" ("1F600"); unique per item. */
  unified: string;
  /** PNG file name inside img/<set>/64/ ("1f600.png"). */
  image: string;
  /** Position in Unicode's emoji ordering. */
  sortOrder: number;
  /** Index of `category` in `classNames`. */
  label: number;
  split: "train" | "test";
}

export interface EmojiOptions {
  set: EmojiSet;
  split: EmojiSplit;
  /**
   * At most this many items: a class-balanced deterministic subset (`stratifiedSubset` with
   * `EMOJI_SPLIT_SEED`), kept in catalog order. All items when omitted or ≥ the split's size.
   */
  limit?: number;
}

export interface EmojiData {
  set: EmojiSet;
  split: EmojiSplit;
  items: EmojiItem[];
  /** Category index of each item. */
  labels: Uint8Array;
  /** Absolute PNG path of each item in the chosen set. */
  paths: string[];
  count: number;
  classNames: string[];
  license: string;
}

export interface AlignedEmoji {
  /** Items with an image in both sets, in catalog order; use `emojiPixels(item, "google" | "twitter")`. */
  items: EmojiItem[];
  labels: Uint8Array;
  googlePaths: string[];
  twitterPaths: string[];
  count: number;
  classNames: string[];
  license: string;
}

/** Loads the emoji of one image set and split. */
export function loadEmoji(options: EmojiOptions): EmojiData {
  const { set, split, limit } = options;
  checkSet(set);
  checkSplit(split);
  checkLimit(limit);
  const catalog = loadCatalog(set);
  const flag = `has_img_${set}`;
  let items = catalog.items.filter((it, i) => catalog.hasImage[i][flag] === true && (split === "all" || it.split === split));
  items = applyLimit(items, limit);
  return {
    set,
    split,
    items,
    labels: Uint8Array.from(items, (it) => it.label),
    paths: items.map((it) => emojiImagePath(it, set)),
    count: items.length,
    classNames: [...catalog.classNames],
    license: EMOJI_LICENSE,
  };
}

/**
 * The emoji that have an image in both the google and the twitter set, in the same (catalog)
 * order, for cross-encoder / cross-style experiments: item i is the same emoji in both sets.
 */
export function alignEmojiSets(options: { split?: EmojiSplit; limit?: number } = {}): AlignedEmoji {
  const split = options.split ?? "all";
  checkSplit(split);
  checkLimit(options.limit);
  const google = loadCatalog("google");
  const twitter = loadCatalog("twitter");
  const inTwitter = new Set<string>();
  twitter.items.forEach((it, i) => {
    if (twitter.hasImage[i].has_img_twitter === true) inTwitter.add(it.unified);
  });
  let items = google.items.filter(
    (it, i) => google.hasImage[i].has_img_google === true && inTwitter.has(it.unified) && (split === "all" || it.split === split),
  );
  items = applyLimit(items, options.limit);
  return {
    items,
    labels: Uint8Array.from(items, (it) => it.label),
    googlePaths: items.map((it) => emojiImagePath(it, "google")),
    twitterPaths: items.map((it) => emojiImagePath(it, "twitter")),
    count: items.length,
    classNames: [...google.classNames],
    license: EMOJI_LICENSE,
  };
}

/** Absolute path of an item's 64-px PNG in an image set: <package>/img/<set>/64/<image>. */
export function emojiImagePath(item: Pick<EmojiItem, "image">, set: EmojiSet): string {
  checkSet(set);
  return join(emojiPackageDir(set), "img", set, String(EMOJI_IMAGE_SIZE), item.image);
}

/**
 * An emoji as interleaved RGB floats in [0, 1] (row-major, size × size × 3), composited over a
 * white background with its alpha channel, resized bilinearly from 64 px to `size` (default 64).
 */
export function emojiPixels(item: Pick<EmojiItem, "image">, set: EmojiSet, size: number = EMOJI_IMAGE_SIZE): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new InvalidParameterError("size", `expected a positive integer, got ${size}`);
  const png = decodePng(emojiImagePath(item, set));
  const rgb = rgbaOnWhite(png.rgba);
  return png.width === size && png.height === size ? rgb : resizeBilinear(rgb, png.width, png.height, size, size, 3);
}

/** Several emoji stacked into one n × size × size × 3 array (e.g. for `tf.tensor4d`). */
export function emojiBatch(items: readonly Pick<EmojiItem, "image">[], set: EmojiSet, size: number = EMOJI_IMAGE_SIZE): Float32Array {
  const per = size * size * 3;
  const out = new Float32Array(items.length * per);
  items.forEach((it, i) => out.set(emojiPixels(it, set, size), i * per));
  return out;
}

/** Folder of the installed `emoji-datasource-<set>` npm package. */
export function emojiPackageDir(set: EmojiSet): string {
  checkSet(set);
  const cached = packageDirs.get(set);
  if (cached) return cached;
  const pkg = `emoji-datasource-${set}`;
  const found = resolveInstalled(`${pkg}/package.json`);
  if (found.path) {
    const dir = dirname(found.path);
    packageDirs.set(set, dir);
    return dir;
  }
  throw new MissingDataError(
    pkg,
    `npm package not found (looked from ${found.tried.join(", ")}); run "bash scripts/setup.sh" (or "npm ci") in the latent-bridge folder`,
  );
}

// ---------------------------------------------------------------------------------------------

interface Catalog {
  file: string;
  items: EmojiItem[];
  /** The has_img_* flags of each item. */
  hasImage: Record<string, unknown>[];
  classNames: string[];
}

const packageDirs = new Map<EmojiSet, string>();
const catalogs = new Map<string, Catalog>();


function loadCatalog(set: EmojiSet): Catalog {
  const file = join(emojiPackageDir(set), "emoji.json");
  const cached = catalogs.get(file);
  if (cached) return cached;
  if (!existsSync(file)) throw new MissingDataError(file, `emoji catalog missing; run "bash scripts/setup.sh" (or "npm ci")`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FileFormatError(file, `expected JSON, parsing failed (${(e as Error).message})`);
  }
  const catalog = buildCatalog(raw, file);
  catalogs.set(file, catalog);
  return catalog;
}

/** Validates emoji.json entries, drops excluded categories, labels and splits them. */
function buildCatalog(raw: unknown, file: string): Catalog {
  if (!Array.isArray(raw)) throw new FileFormatError(file, "expected a JSON array of emoji entries");
  interface Entry {
    item: Omit<EmojiItem, "label" | "split">;
    flags: Record<string, unknown>;
  }
  const entries: Entry[] = [];
  const seen = new Set<string>();
  raw.forEach((e: unknown, i) => {
    const o = e as Record<string, unknown>;
    const str = (k: string) => {
      if (typeof o?.[k] !== "string") throw new FileFormatError(file, `expected entry ${i} to have a string "${k}"`);
      return o[k] as string;
    };
    const unified = str("unified");
    const category = str("category");
    if (seen.has(unified)) throw new FileFormatError(file, `expected unique "unified" codes, ${unified} repeats (entry ${i})`);
    seen.add(unified);
    if (EMOJI_DROPPED_CATEGORIES.includes(category)) return;
    const shortNames = Array.isArray(o.short_names) ? o.short_names.filter((s): s is string => typeof s === "string") : [];
    const sortOrder = typeof o.sort_order === "number" ? o.sort_order : Number.MAX_SAFE_INTEGER;
    const flags: Record<string, unknown> = {};
    for (const k of Object.keys(o)) if (k.startsWith("has_img_")) flags[k] = o[k];
    // A few entries have no name in some catalog versions: fall back to the short name.
    const name = (typeof o.name === "string" && o.name ? o.name : shortNames[0] ?? unified).toLowerCase();
    entries.push({
      item: { name, shortNames, category, subcategory: typeof o.subcategory === "string" ? o.subcategory : "", unified, image: str("image"), sortOrder },
      flags,
    });
  });
  entries.sort((a, b) => a.item.sortOrder - b.item.sortOrder || (a.item.unified < b.item.unified ? -1 : a.item.unified > b.item.unified ? 1 : 0));

  const classNames: string[] = [];
  for (const { item } of entries) if (!classNames.includes(item.category)) classNames.push(item.category);
  if (classNames.length > 255) throw new FileFormatError(file, `expected at most 255 categories, found ${classNames.length}`);

  // Fixed split: per category, round(20 %) drawn with one seeded generator, categories in order.
  const isTest = new Uint8Array(entries.length);
  const rng = new Random(EMOJI_SPLIT_SEED);
  classNames.forEach((c) => {
    const members: number[] = [];
    entries.forEach((e, i) => {
      if (e.item.category === c) members.push(i);
    });
    const nTest = Math.round(members.length * EMOJI_TEST_FRACTION);
    const perm = rng.permutation(members.length);
    for (let k = 0; k < nTest; k++) isTest[members[perm[k]]] = 1;
  });

  return {
    file,
    items: entries.map((e, i) => Object.freeze({
      ...e.item,
      shortNames: Object.freeze([...e.item.shortNames]) as string[],
      label: classNames.indexOf(e.item.category),
      split: isTest[i] ? ("test" as const) : ("train" as const),
    })),
    hasImage: entries.map((e) => e.flags),
    classNames,
  };
}

function applyLimit(items: EmojiItem[], limit: number | undefined): EmojiItem[] {
  if (limit === undefined || limit >= items.length) return items;
  const idx = Array.from(stratifiedSubset(items.map((it) => it.label), { total: limit }, EMOJI_SPLIT_SEED)).sort((a, b) => a - b);
  return idx.map((i) => items[i]);
}

function checkSet(set: unknown): asserts set is EmojiSet {
  if (set !== "google" && set !== "twitter") {
    throw new InvalidParameterError("set", `expected "google" or "twitter", got ${JSON.stringify(set)}`);
  }
}

function checkSplit(split: unknown): asserts split is EmojiSplit {
  if (split !== "train" && split !== "test" && split !== "all") {
    throw new InvalidParameterError("split", `expected "train", "test" or "all", got ${JSON.stringify(split)}`);
  }
}

function checkLimit(limit: unknown): void {
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0)) {
    throw new InvalidParameterError("limit", `expected a non-negative integer, got ${limit}`);
  }
}

