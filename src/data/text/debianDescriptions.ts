/**
 * Debian package descriptions labelled by archive Section (net, science, games, libs…), and their
 * es/fr/ja translations aligned by Description-md5: a labelled text set and a parallel corpus.
 *
 * Source: apt's index files, fetched into the cache by scripts/fetch-apt-translations.sh (run by
 * `bash scripts/setup.sh`) and decompressed to plain text in <cache>/apt/text/:
 *   *_Packages            Package, Section, Description-md5 (bookworm's Packages carry only the
 *                         short description; the full English text is in Translation-en)
 *   *_Translation-<lang>  Package, Description-md5, Description-<lang> (short line + long text)
 * A description's identity is its Description-md5 (md5 of the English description), so a
 * translation is aligned to the English text it translates; stale translations whose md5 no longer
 * matches any English description are dropped.
 *
 * Text: "<short description>\n<long description>", the long part with its leading space removed,
 * " ." lines as paragraph breaks ("\n"), lines of a paragraph joined by spaces (no space between two
 * Japanese/Chinese characters; lines indented by two or more spaces, i.e. verbatim, keep their own
 * line).
 * Label: the Section of the packages carrying the md5 (archive area prefix "contrib/",
 * "non-free/", "non-free-firmware/" stripped; if the packages disagree, the most common, ties by
 * name). Descriptions with no Packages entry (other architectures only) are dropped.
 * Split: by Description-md5 (see common.ts), the same for every language.
 */
import { cacheRoot } from "../cache";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileFormatError, InvalidParameterError } from "../../errors";
import {
  checkLabelledOptions, CJK_CHARS, type LabelledLoadOptions, MissingDataError, type ParallelItem,
  type ParallelTextDataset, selectLabelled, SETUP_COMMAND, type TextDataset, type TextItem,
} from "./common";

export const DEBIAN_LICENSE =
  "Debian package descriptions and their DDTP translations, under each package's own license " +
  "(DFSG-free, Debian main); fetched from Debian's apt index files (Packages, Translation-xx)";

/** The default folder of the decompressed index files: <cache>/apt/text. */
export function debianTextDir(): string {
  return join(cacheRoot(), "apt", "text");
}

/** One deb822 stanza: field name → value (continuation lines joined with "\n"). */
export type Stanza = Record<string, string>;

/**
 * Parses deb822 text (Packages, Translation-xx) into stanzas. Only the fields in `keep` are stored
 * (all if omitted). A continuation line before any field is a FileFormatError naming `file`.
 */
export function parseDeb822(text: string, file = "deb822 data", keep?: ReadonlySet<string>): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | null = null;
  let field: string | null = null;
  let start = 0;
  let ln = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    ln++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (/^[ \t]*$/.test(line)) {
      if (cur) out.push(cur);
      cur = null;
      field = null;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      if (!cur) throw new FileFormatError(file, `line ${ln}: continuation line outside a field`);
      if (field !== null) cur[field] += "\n" + line;
      continue;
    }
    if (c0 === 35) continue; // "#" comment
    const colon = line.indexOf(":");
    if (colon <= 0) throw new FileFormatError(file, `line ${ln}: expected "Field: value", got ${JSON.stringify(line.slice(0, 60))}`);
    cur ??= {};
    const name = line.slice(0, colon);
    field = keep && !keep.has(name) ? null : name;
    if (field !== null) cur[field] = line.slice(colon + 1).trim();
  }
  if (cur) out.push(cur);
  return out;
}

const CJK_END = new RegExp(`[${CJK_CHARS}]$`);
const CJK_START = new RegExp(`^[${CJK_CHARS}]`);

/** Turns a Description field (short line + continuation lines) into { short, long, text }. */
export function cleanDescription(value: string): { short: string; long: string; text: string } {
  const lines = value.split("\n");
  const short = lines[0].trim();
  const paragraphs: string[] = [];
  let para: string[] = [];
  const flush = () => {
    let joined = "";
    for (const l of para) {
      // Japanese/Chinese text is wrapped without spaces: no space between two CJK characters.
      joined = joined === "" ? l : CJK_END.test(joined) && CJK_START.test(l) ? joined + l : `${joined} ${l}`;
    }
    if (joined !== "") paragraphs.push(joined);
    para = [];
  };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].startsWith(" ") ? lines[i].slice(1) : lines[i].replace(/^\t/, "");
    if (l.trim() === ".") {
      flush();
    } else if (/^[ \t]/.test(l)) {
      flush();
      paragraphs.push(l.trimEnd());
    } else {
      para.push(l.trim());
    }
  }
  flush();
  const long = paragraphs.filter((p) => p.trim() !== "").join("\n");
  return { short, long, text: long ? `${short}\n${long}` : short };
}

/** "contrib/net" → "net", "non-free-firmware/kernel" → "kernel", "net" → "net". */
export function stripArchiveArea(section: string): string {
  const slash = section.lastIndexOf("/");
  return slash >= 0 ? section.slice(slash + 1) : section;
}

interface IndexFiles {
  packages: string[];
  translations: Map<string, string[]>;
}

function listIndexFiles(dir: string): IndexFiles {
  const missing = () =>
    new MissingDataError(
      dir,
      `no Debian apt index files (…_Packages, …_Translation-en) here; run \`${SETUP_COMMAND}\` ` +
        `(it runs scripts/fetch-apt-translations.sh), set LATENT_BRIDGE_CACHE_DIR, or pass \`dir\``,
    );
  if (!existsSync(dir)) throw missing();
  const packages: string[] = [];
  const translations = new Map<string, string[]>();
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".tmp")) continue;
    if (/(^|_)Packages$/.test(name)) packages.push(join(dir, name));
    const m = /(?:^|_)Translation-([A-Za-z_]+)$/.exec(name);
    if (m) {
      if (!translations.has(m[1])) translations.set(m[1], []);
      translations.get(m[1])!.push(join(dir, name));
    }
  }
  if (packages.length === 0 || !translations.has("en")) throw missing();
  return { packages, translations };
}

const PACKAGES_FIELDS = new Set(["Package", "Section", "Description-md5"]);

/** md5 → section (majority over the packages carrying it), and package → section as a fallback. */
function readSections(files: string[]): { byMd5: Map<string, string>; byPackage: Map<string, string> } {
  const votes = new Map<string, Map<string, number>>();
  const byPackage = new Map<string, string>();
  for (const f of files) {
    for (const s of parseDeb822(readFileSync(f, "utf8"), f, PACKAGES_FIELDS)) {
      if (!s.Package || !s.Section) continue;
      const section = stripArchiveArea(s.Section);
      if (!byPackage.has(s.Package)) byPackage.set(s.Package, section);
      const md5 = s["Description-md5"];
      if (!md5) continue;
      let v = votes.get(md5);
      if (!v) votes.set(md5, (v = new Map()));
      v.set(section, (v.get(section) ?? 0) + 1);
    }
  }
  const byMd5 = new Map<string, string>();
  for (const [md5, v] of votes) {
    let best = "";
    let bestN = -1;
    for (const [sec, n] of v) if (n > bestN || (n === bestN && sec < best)) [best, bestN] = [sec, n];
    byMd5.set(md5, best);
  }
  return { byMd5, byPackage };
}

interface Translated {
  packages: string[];
  text: string;
  short: string;
  long: string;
}

/** md5 → cleaned description, from the Translation-<lang> files. */
function readTranslations(files: string[], lang: string): Map<string, Translated> {
  const field = `Description-${lang}`;
  const keep = new Set(["Package", "Description-md5", field]);
  const out = new Map<string, Translated>();
  for (const f of files) {
    for (const s of parseDeb822(readFileSync(f, "utf8"), f, keep)) {
      const md5 = s["Description-md5"];
      const d = s[field];
      if (!md5 || d === undefined) {
        throw new FileFormatError(f, `a stanza${s.Package ? ` (Package ${s.Package})` : ""} lacks Description-md5 or ${field}`);
      }
      const prev = out.get(md5);
      if (prev) {
        if (s.Package && !prev.packages.includes(s.Package)) prev.packages.push(s.Package);
        continue;
      }
      out.set(md5, { packages: s.Package ? [s.Package] : [], ...cleanDescription(d) });
    }
  }
  return out;
}

function sectionOf(md5: string, packages: string[], sections: ReturnType<typeof readSections>): string | undefined {
  const s = sections.byMd5.get(md5);
  if (s !== undefined) return s;
  for (const p of [...packages].sort()) {
    const t = sections.byPackage.get(p);
    if (t !== undefined) return t;
  }
  return undefined;
}

export interface DebianDescriptionItem extends TextItem {
  /** Description-md5. */
  id: string;
  /** Packages sharing this description (sorted). */
  packages: string[];
  section: string;
  short: string;
  long: string;
}

export interface DebianLoadOptions extends LabelledLoadOptions {
  /** Folder with the decompressed *_Packages and *_Translation-xx files (default <cache>/apt/text). */
  dir?: string;
}

/**
 * English package descriptions labelled by Section.
 *
 *   const d = loadDebianDescriptions({ split: "train", minClassSize: 200 });
 */
export function loadDebianDescriptions(options: DebianLoadOptions = {}): TextDataset<DebianDescriptionItem> {
  const sel = checkLabelledOptions(options);
  const dir = options.dir ?? debianTextDir();
  const files = listIndexFiles(dir);
  const sections = readSections(files.packages);
  const en = readTranslations(files.translations.get("en")!, "en");
  const all: (Translated & { id: string; section: string })[] = [];
  for (const [md5, t] of en) {
    const section = sectionOf(md5, t.packages, sections);
    if (section !== undefined) all.push({ id: md5, section, ...t });
  }
  const { items, classNames } = selectLabelled(all, (a) => a.section, sel, (a, label, className): DebianDescriptionItem => ({
    id: a.id,
    text: a.text,
    label,
    className,
    packages: [...a.packages].sort(),
    section: a.section,
    short: a.short,
    long: a.long,
  }));
  return {
    name: "debian-descriptions",
    split: sel.split,
    items,
    texts: items.map((i) => i.text),
    labels: Int32Array.from(items, (i) => i.label),
    classNames,
    license: DEBIAN_LICENSE,
    source: dir,
  };
}

export interface DebianParallelItem extends ParallelItem {
  /** Description-md5. */
  id: string;
  packages: string[];
  section: string;
}

export interface DebianParallelOptions extends DebianLoadOptions {
  /** Languages to align (default ["en", "es", "fr", "ja"]). */
  languages?: readonly string[];
  /** Keep only descriptions present in every language (default true); else in at least two. */
  requireAll?: boolean;
}

export interface DebianParallelDataset extends ParallelTextDataset<DebianParallelItem> {
  /** Descriptions per language (those with a Section label), before alignment. */
  perLanguage: Record<string, number>;
}

/**
 * Package descriptions aligned across languages by Description-md5, labelled by Section.
 *
 *   const d = loadDebianParallel({ languages: ["en", "fr"] });
 *   d.texts.en[i], d.texts.fr[i]   // the same description
 */
export function loadDebianParallel(options: DebianParallelOptions = {}): DebianParallelDataset {
  const sel = checkLabelledOptions(options);
  const languages = [...(options.languages ?? ["en", "es", "fr", "ja"])];
  if (languages.length < 2) throw new InvalidParameterError("languages", `expected at least two languages, got ${JSON.stringify(languages)}`);
  if (new Set(languages).size !== languages.length) throw new InvalidParameterError("languages", `duplicate language in ${languages.join(", ")}`);
  for (const l of languages) {
    if (typeof l !== "string" || !/^[A-Za-z]{2,3}(?:_[A-Za-z]{2})?$/.test(l)) {
      throw new InvalidParameterError("languages", `expected language codes like "en", "fr", "pt_BR", got ${JSON.stringify(l)}`);
    }
  }
  const requireAll = options.requireAll ?? true;
  const dir = options.dir ?? debianTextDir();
  const files = listIndexFiles(dir);
  for (const l of languages) {
    if (!files.translations.has(l)) {
      throw new MissingDataError(
        dir,
        `no Translation-${l} file; run \`${SETUP_COMMAND}\` (scripts/fetch-apt-translations.sh fetches ` +
          `en,es,fr,ja; other languages: LATENT_BRIDGE_APT_LANGUAGES=en,de bash scripts/fetch-apt-translations.sh --force)`,
      );
    }
  }
  const sections = readSections(files.packages);
  const perLang = new Map<string, Map<string, Translated>>();
  for (const l of languages) perLang.set(l, readTranslations(files.translations.get(l)!, l));
  // Only md5s that still describe a current English description (stale translations are dropped).
  const en = perLang.get("en") ?? readTranslations(files.translations.get("en")!, "en");

  const perLanguage: Record<string, number> = {};
  const md5s = new Set<string>();
  for (const [l, m] of perLang) {
    let n = 0;
    for (const md5 of m.keys()) {
      const english = en.get(md5);
      if (!english || sectionOf(md5, english.packages, sections) === undefined) continue;
      n++;
      md5s.add(md5);
    }
    perLanguage[l] = n;
  }
  const aligned: { id: string; section: string; packages: string[] }[] = [];
  for (const md5 of [...md5s].sort()) {
    const present = languages.filter((l) => perLang.get(l)!.has(md5));
    if (requireAll ? present.length !== languages.length : present.length < 2) continue;
    const packages = new Set<string>();
    for (const l of present) for (const p of perLang.get(l)!.get(md5)!.packages) packages.add(p);
    const pk = [...packages].sort();
    aligned.push({ id: md5, section: sectionOf(md5, en.get(md5)!.packages, sections)!, packages: pk });
  }
  const { items, classNames } = selectLabelled(aligned, (a) => a.section, sel, (a, label, className): DebianParallelItem => {
    const texts: Partial<Record<string, string>> = {};
    for (const l of languages) {
      const t = perLang.get(l)!.get(a.id);
      if (t) texts[l] = t.text;
    }
    return { id: a.id, texts, label, className, packages: a.packages, section: a.section };
  });
  const texts: Record<string, Array<string | undefined>> = {};
  for (const l of languages) texts[l] = items.map((i) => i.texts[l]);
  return {
    name: "debian-parallel",
    split: sel.split,
    languages,
    items,
    texts,
    labels: Int32Array.from(items, (i) => i.label),
    classNames,
    license: DEBIAN_LICENSE,
    source: dir,
    perLanguage,
  };
}
