/**
 * What the text data sets share: the data cache location, the fixed train/test split, class
 * filtering and the result types.
 *
 * The split is FIXED and needs no seed: an item is in the test split iff
 *     fmix32(fnv1a32(utf8(id))) mod 100 < TEST_PERCENT (20)
 * where `id` is the item's stable identifier (a WordNet synset "offset-ss_type", a Debian
 * Description-md5, a gettext msgid). So the split of an item never changes when other items are
 * added or removed, train and test are disjoint and cover everything, and every language of a
 * parallel set splits the same way. Items come in a stable pseudo-random order (the same hash of
 * "order:" + id), so `limit: n` takes a deterministic, class-representative subset and a smaller
 * limit gives a prefix of a larger one.
 */
import { InvalidParameterError, MissingDataError } from "../../errors";

/** Which part of a data set to load. */
export type Split = "train" | "test" | "all";

/** Percentage of items in the test split. */
export const TEST_PERCENT = 20;

/** The command that installs or fetches every data source (it calls scripts/fetch-apt-translations.sh). */
export const SETUP_COMMAND = "bash scripts/setup.sh";

export { MissingDataError };



const encoder = new TextEncoder();

/** A stable 32-bit hash of a string: FNV-1a over its UTF-8 bytes, then murmur3's fmix32 finaliser. */
export function stableHash32(s: string): number {
  const bytes = encoder.encode(s);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The fixed split an item id belongs to (see the module comment). */
export function splitOf(id: string): "train" | "test" {
  return stableHash32(id) % 100 < TEST_PERCENT ? "test" : "train";
}

/** Options every labelled loader takes. */
export interface LabelledLoadOptions {
  /** "train" (≈80%), "test" (≈20%) or "all" (default "all"). */
  split?: Split;
  /** At most this many items (a deterministic subset, in the stable hashed order). */
  limit?: number;
  /** Drop classes with fewer items than this in the whole data set, before splitting (default 1). */
  minClassSize?: number;
}

/** One labelled text. */
export interface TextItem {
  /** Stable identifier; it alone decides the split. */
  id: string;
  /** The text to embed. */
  text: string;
  /** Index into the data set's classNames. */
  label: number;
  className: string;
}

/** A labelled text data set: items, their texts and labels, class names and the license. */
export interface TextDataset<T extends TextItem = TextItem> {
  name: string;
  split: Split;
  items: T[];
  /** items[i].text */
  texts: string[];
  /** items[i].label */
  labels: Int32Array;
  /** The same for train and test of the same options (classes are chosen before splitting). */
  classNames: string[];
  license: string;
  /** Where it was read from. */
  source: string;
}

/** One item in several languages. */
export interface ParallelItem {
  id: string;
  /** Text per language; with requireAll (the default) every requested language is present. */
  texts: Partial<Record<string, string>>;
  label: number;
  className: string;
}

/** Items aligned across languages. */
export interface ParallelTextDataset<T extends ParallelItem = ParallelItem> {
  name: string;
  split: Split;
  languages: string[];
  items: T[];
  /** texts[lang][i] = items[i].texts[lang] (undefined only when requireAll is false). */
  texts: Record<string, Array<string | undefined>>;
  labels: Int32Array;
  classNames: string[];
  license: string;
  source: string;
}

const SPLITS: readonly Split[] = ["train", "test", "all"];

/** Checks split/limit/minClassSize and fills in the defaults. */
export function checkLabelledOptions(o: LabelledLoadOptions): { split: Split; limit: number; minClassSize: number } {
  const split = o.split ?? "all";
  if (!SPLITS.includes(split)) {
    throw new InvalidParameterError("split", `expected "train", "test" or "all", got ${JSON.stringify(split)}`);
  }
  const limit = o.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidParameterError("limit", `expected an integer ≥ 0, got ${limit}`);
  }
  const minClassSize = o.minClassSize ?? 1;
  if (!Number.isInteger(minClassSize) || minClassSize < 1) {
    throw new InvalidParameterError("minClassSize", `expected an integer ≥ 1, got ${minClassSize}`);
  }
  return { split, limit, minClassSize };
}

/**
 * Keeps classes with ≥ minClassSize items (counted over all items), numbers them (in `order` if
 * given, else sorted by name), then selects the split, puts items in the stable hashed order and
 * applies the limit. `make` builds the output item from an input item and its label.
 */
export function selectLabelled<I extends { id: string }, O>(
  all: readonly I[],
  classOf: (item: I) => string,
  options: { split: Split; limit: number; minClassSize: number; order?: readonly string[] },
  make: (item: I, label: number, className: string) => O,
): { items: O[]; classNames: string[] } {
  const counts = new Map<string, number>();
  for (const it of all) counts.set(classOf(it), (counts.get(classOf(it)) ?? 0) + 1);
  const names = options.order ? options.order.filter((c) => counts.has(c)) : [...counts.keys()].sort();
  const classNames = names.filter((c) => (counts.get(c) ?? 0) >= options.minClassSize);
  const index = new Map(classNames.map((c, i) => [c, i] as const));
  const chosen: { item: I; key: number }[] = [];
  for (const it of all) {
    if (!index.has(classOf(it))) continue;
    if (options.split !== "all" && splitOf(it.id) !== options.split) continue;
    chosen.push({ item: it, key: stableHash32("order:" + it.id) });
  }
  chosen.sort((a, b) => a.key - b.key || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
  const n = Math.min(chosen.length, options.limit);
  const items: O[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(chosen[i].item);
    items[i] = make(chosen[i].item, index.get(c)!, c);
  }
  return { items, classNames };
}

/** Japanese/Chinese characters (kana, CJK ideographs and punctuation, fullwidth forms): a regex class body. */
export const CJK_CHARS = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef";
const WRAPPED_CJK = new RegExp(`([${CJK_CHARS}])[ \t]*\n\\s*(?=[${CJK_CHARS}])`, "g");

/**
 * Collapses runs of whitespace (newlines included) to one space and trims; a line break between two
 * Japanese/Chinese characters (text wrapped without spaces) is removed instead.
 */
export function normalizeSpace(s: string): string {
  return s.replace(WRAPPED_CJK, "$1").replace(/\s+/g, " ").trim();
}
