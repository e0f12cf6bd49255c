/**
 * English ↔ es/fr/ja sentence pairs from the GNU gettext catalogs (.mo) that installed programs
 * ship in /usr/share/locale/<lang>/LC_MESSAGES/: a small parallel corpus of UI and help messages.
 *
 * .mo layout (GNU gettext manual, "The Format of GNU MO Files"), all u32 in the file's byte order:
 *   0 magic 0x950412de (read little- or big-endian; the way it reads decides the byte order)
 *   4 revision (major 0 or 1)   8 N strings   12 offset of the original-strings table
 *   16 offset of the translation table   20 hash size   24 hash offset
 * Each table holds N (length, offset) pairs; strings are NUL-terminated. A msgid with a plural is
 * "singular\0plural" and its msgstr "form0\0form1…" (we take form 0); a msgctxt is "ctx\x04msgid".
 * The entry with the empty msgid is the header (charset, plural forms), not a message.
 *
 * Pairs: format strings are dropped (printf %s %d %1$s %lu %%, strftime %H, Qt %1, python %(name)s,
 * brace {0} {name}); keyboard accelerators (_ & and the "(_F)" suffixes of CJK UIs) are removed;
 * whitespace is collapsed; entries of fewer than 2 English words, untranslated entries and
 * translations identical to the English text are dropped; each English text is kept once per
 * language (the first catalog in file-name order wins). Split: by the cleaned English text.
 * Label: the catalog (text domain, e.g. "sed") the pair came from in the first language — a weak
 * label; the point of this set is its alignment.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { FileFormatError, InvalidParameterError } from "../../errors";
import {
  checkLabelledOptions, type LabelledLoadOptions, MissingDataError, normalizeSpace, type ParallelItem,
  type ParallelTextDataset, selectLabelled, SETUP_COMMAND,
} from "./common";

export const GETTEXT_LICENSE =
  "the translated programs' own licenses (GPL/LGPL and others); catalogs from /usr/share/locale";
export const LOCALE_DIR = "/usr/share/locale";
export const MO_MAGIC = 0x950412de;

/** One message of a catalog. */
export interface MoEntry {
  context?: string;
  msgid: string;
  msgidPlural?: string;
  /** The translation (the first plural form for plural messages). */
  msgstr: string;
  /** All plural forms (just [msgstr] for a non-plural message). */
  forms: string[];
}

export interface MoCatalog {
  /** Messages in file order (sorted by msgid), without the header entry. */
  entries: MoEntry[];
  /** The header entry's fields ("Content-Type", "Plural-Forms", "Language"…). */
  header: Record<string, string>;
  littleEndian: boolean;
  revision: number;
  charset: string;
}

/**
 * Parses a .mo file. `file` names it in errors: a bad magic number, an unknown revision, a table or
 * string outside the data (a truncated file) are FileFormatErrors.
 */
export function parseMo(bytes: Uint8Array, file = "MO data"): MoCatalog {
  const size = bytes.byteLength;
  if (size < 28) throw new FileFormatError(file, `too short for a .mo header (${size} bytes, need 28)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  let le: boolean;
  if (view.getUint32(0, true) === MO_MAGIC) le = true;
  else if (view.getUint32(0, false) === MO_MAGIC) le = false;
  else {
    throw new FileFormatError(file, `not a GNU .mo file: magic 0x${view.getUint32(0, false).toString(16).padStart(8, "0")}, expected 0x950412de`);
  }
  const u32 = (at: number) => view.getUint32(at, le);
  const revision = u32(4);
  if (revision >>> 16 > 1) throw new FileFormatError(file, `unsupported .mo revision ${revision >>> 16}.${revision & 0xffff}`);
  const n = u32(8);
  const origTable = u32(12);
  const transTable = u32(16);
  for (const [name, at] of [["original-strings", origTable], ["translation", transTable]] as const) {
    if (at + 8 * n > size) {
      throw new FileFormatError(file, `truncated: the ${name} table (${n} entries at byte ${at}) ends past the file's ${size} bytes`);
    }
  }
  const raw = (table: number, i: number): Uint8Array => {
    const len = u32(table + 8 * i);
    const off = u32(table + 8 * i + 4);
    if (off + len > size) {
      throw new FileFormatError(file, `truncated: string ${i} (${len} bytes at byte ${off}) ends past the file's ${size} bytes`);
    }
    return bytes.subarray(off, off + len);
  };

  // The header (empty msgid, normally entry 0) gives the charset for everything else.
  let header: Record<string, string> = {};
  let charset = "utf-8";
  for (let i = 0; i < n; i++) {
    if (raw(origTable, i).length === 0) {
      header = parseHeader(new TextDecoder("utf-8").decode(raw(transTable, i)));
      const m = /charset=([^\s;]+)/i.exec(header["Content-Type"] ?? "");
      if (m && m[1].toUpperCase() !== "CHARSET") charset = m[1];
      break;
    }
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw new FileFormatError(file, `unknown charset ${JSON.stringify(charset)} in the header`);
  }

  const entries: MoEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = raw(origTable, i);
    const str = raw(transTable, i);
    if (id.length === 0) continue;
    let key = decoder.decode(id);
    let context: string | undefined;
    const eot = key.indexOf("\x04");
    if (eot >= 0) {
      context = key.slice(0, eot);
      key = key.slice(eot + 1);
    }
    const [msgid, msgidPlural] = key.split("\0");
    const forms = decoder.decode(str).split("\0");
    const e: MoEntry = { msgid, msgstr: forms[0], forms };
    if (context !== undefined) e.context = context;
    if (msgidPlural !== undefined) e.msgidPlural = msgidPlural;
    entries.push(e);
  }
  return { entries, header, littleEndian: le, revision, charset };
}

function parseHeader(s: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of s.split("\n")) {
    const c = line.indexOf(":");
    if (c > 0) h[line.slice(0, c).trim()] = line.slice(c + 1).trim();
  }
  return h;
}

/** Reads and parses a .mo file. */
export function readMo(path: string): MoCatalog {
  if (!existsSync(path)) throw new MissingDataError(path, "no such .mo file");
  return parseMo(readFileSync(path), path);
}

const FORMAT_DIRECTIVES: readonly RegExp[] = [
  // printf, with optional argument number (%1$s), flags, width, precision, length; %% too.
  /%(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|ll|[hlLqjzZt]|I64|I32)?[diouxXeEfFgGaAcCsSpnm%]/,
  // gettext's ISO C 99 <inttypes.h> macros: %<PRIu64>
  /%<[A-Za-z0-9_]+>/,
  // python %(name)s
  /%\([^)\s]*\)/,
  // Qt / KDE %1, and any other "%" + letter (strftime %H %b, %m …)
  /%[\dA-Za-z]/,
  // brace formats: {0}, {}, {name}, {0:.2f}, {name!r}
  /\{[A-Za-z0-9_.]*(?:[:!][^{}]*)?\}/,
];

/** Whether a message contains a format directive (it is a template, not a sentence). */
export function hasFormatDirective(s: string): boolean {
  return FORMAT_DIRECTIVES.some((r) => r.test(s));
}

/**
 * Removes keyboard accelerators: "(_F)"/"(&F)" suffixes (Japanese/Chinese UIs), then the mnemonic
 * "_" or "&" before a letter or digit ("_Open", "Save _As", "&File"). Only a lone marker counts: a
 * text with several "_" (identifiers like max_wal_size) keeps them; "&&" becomes "&".
 */
export function stripAccelerators(s: string): string {
  let t = s.replace(/\s*[(（][_&][\p{L}\p{N}][)）]/gu, "");
  for (const mark of ["_", "&"]) {
    const marks = t.split(mark).length - 1;
    const escaped = mark === "&" ? t.split("&&").length - 1 : 0;
    if (marks - 2 * escaped === 1) t = t.replace(new RegExp(`(?<!${mark})${mark}(?=[\\p{L}\\p{N}])`, "u"), "");
  }
  return t.replace(/&&/g, "&");
}

/** A message as it goes into a pair: accelerators removed, whitespace collapsed. */
export function cleanMessage(s: string): string {
  return normalizeSpace(stripAccelerators(s));
}

function wordCount(s: string): number {
  return s === "" ? 0 : s.split(" ").length;
}

/** The .mo files of one language, sorted by name, symlinks to the same file counted once. */
export function listMoFiles(localeDir: string, language: string): string[] {
  const dir = join(localeDir, language, "LC_MESSAGES");
  if (!existsSync(dir)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".mo")) continue;
    const path = join(dir, name);
    let real: string;
    try {
      real = realpathSync(path);
      if (!statSync(real).isFile()) continue;
    } catch {
      continue; // dangling symlink
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(path);
  }
  return out;
}

/** A cleaned English → translation pair and the catalog it came from. */
export interface GettextPair {
  english: string;
  translation: string;
  domain: string;
}

/**
 * The filtered pairs of one catalog (see the module comment for the filters). Keyed by the cleaned
 * English text; the first entry wins.
 */
export function catalogPairs(catalog: MoCatalog, domain: string): Map<string, GettextPair> {
  const out = new Map<string, GettextPair>();
  for (const e of catalog.entries) {
    if (e.msgstr === "") continue;
    if (hasFormatDirective(e.msgid) || hasFormatDirective(e.msgstr)) continue;
    if (e.msgidPlural !== undefined && hasFormatDirective(e.msgidPlural)) continue;
    const english = cleanMessage(e.msgid);
    const translation = cleanMessage(e.msgstr);
    if (wordCount(english) < 2 || translation === "" || translation === english) continue;
    if (!out.has(english)) out.set(english, { english, translation, domain });
  }
  return out;
}

export interface GettextLoadOptions extends LabelledLoadOptions {
  /** Target languages (locale folder names), default ["es", "fr", "ja"]. */
  languages?: readonly string[];
  /** Keep only English texts translated into every language (default true); else into at least one. */
  requireAll?: boolean;
  /** Default /usr/share/locale. */
  localeDir?: string;
  /** Only these text domains (catalog names without .mo), default all. */
  domains?: readonly string[];
}

export interface GettextItem extends ParallelItem {
  /** The cleaned English msgid (also the id). */
  english: string;
  /** Text domain per language. */
  domains: Partial<Record<string, string>>;
}

export interface GettextDataset extends ParallelTextDataset<GettextItem> {
  /** Filtered, deduplicated pairs per language before alignment. */
  pairsPerLanguage: Record<string, number>;
  /** Catalogs read per language. */
  catalogsPerLanguage: Record<string, number>;
}

/**
 * English msgids aligned with their translations. `languages` of the result is ["en", …languages];
 * texts.en is the English text.
 *
 *   const d = loadGettextPairs({ languages: ["es", "fr", "ja"] });
 *   d.texts.en[i], d.texts.fr[i]   // a pair
 */
export function loadGettextPairs(options: GettextLoadOptions = {}): GettextDataset {
  const sel = checkLabelledOptions(options);
  const languages = [...(options.languages ?? ["es", "fr", "ja"])];
  if (languages.length === 0) throw new InvalidParameterError("languages", "expected at least one language");
  for (const l of languages) {
    if (typeof l !== "string" || !/^[A-Za-z]{2,3}(?:_[A-Za-z]{2})?(?:@\w+)?$/.test(l) || l === "en") {
      throw new InvalidParameterError("languages", `expected locale names like "es", "fr", "ja", "pt_BR" (not "en"), got ${JSON.stringify(l)}`);
    }
  }
  if (new Set(languages).size !== languages.length) throw new InvalidParameterError("languages", `duplicate language in ${languages.join(", ")}`);
  const requireAll = options.requireAll ?? true;
  const localeDir = options.localeDir ?? LOCALE_DIR;
  const domainFilter = options.domains ? new Set(options.domains) : null;

  const perLang = new Map<string, Map<string, GettextPair>>();
  const catalogsPerLanguage: Record<string, number> = {};
  for (const lang of languages) {
    let files = listMoFiles(localeDir, lang);
    if (domainFilter) files = files.filter((f) => domainFilter.has(domainOf(f)));
    if (files.length === 0) {
      throw new MissingDataError(
        join(localeDir, lang, "LC_MESSAGES"),
        `no .mo catalogs${domainFilter ? " of the requested domains" : ""} for language "${lang}"; they come with ` +
          `installed Debian packages (\`${SETUP_COMMAND}\` installs some; slim images may exclude /usr/share/locale ` +
          `through /etc/dpkg/dpkg.cfg.d/), or pass \`localeDir\``,
      );
    }
    catalogsPerLanguage[lang] = files.length;
    const pairs = new Map<string, GettextPair>();
    for (const f of files) {
      for (const [k, p] of catalogPairs(readMo(f), domainOf(f))) if (!pairs.has(k)) pairs.set(k, p);
    }
    perLang.set(lang, pairs);
  }
  const pairsPerLanguage: Record<string, number> = {};
  for (const [l, m] of perLang) pairsPerLanguage[l] = m.size;

  const englishAll = new Set<string>();
  for (const m of perLang.values()) for (const k of m.keys()) englishAll.add(k);
  const aligned: { id: string; domain: string }[] = [];
  for (const en of englishAll) {
    const present = languages.filter((l) => perLang.get(l)!.has(en));
    if (requireAll ? present.length !== languages.length : present.length === 0) continue;
    aligned.push({ id: en, domain: perLang.get(present[0])!.get(en)!.domain });
  }
  aligned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const { items, classNames } = selectLabelled(aligned, (a) => a.domain, sel, (a, label, className): GettextItem => {
    const texts: Partial<Record<string, string>> = { en: a.id };
    const domains: Partial<Record<string, string>> = {};
    for (const l of languages) {
      const p = perLang.get(l)!.get(a.id);
      if (p) {
        texts[l] = p.translation;
        domains[l] = p.domain;
      }
    }
    return { id: a.id, english: a.id, texts, domains, label, className };
  });
  const allLanguages = ["en", ...languages];
  const texts: Record<string, Array<string | undefined>> = {};
  for (const l of allLanguages) texts[l] = items.map((i) => i.texts[l]);
  return {
    name: "gettext-pairs",
    split: sel.split,
    languages: allLanguages,
    items,
    texts,
    labels: Int32Array.from(items, (i) => i.label),
    classNames,
    license: GETTEXT_LICENSE,
    source: languages.map((l) => join(localeDir, l, "LC_MESSAGES")).join(", "),
    pairsPerLanguage,
    catalogsPerLanguage,
  };
}

function domainOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.endsWith(".mo") ? base.slice(0, -3) : base;
}
