import { cacheRoot } from "../src/data/cache";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileFormatError, InvalidParameterError } from "../src/errors";
import { MissingDataError, normalizeSpace, splitOf, stableHash32, TEST_PERCENT } from "../src/data/text/common";
import {
  loadWordnetGlosses, parseWordnetData, WORDNET_DIR, WORDNET_LEXNAMES, WORDNET_LICENSE,
} from "../src/data/text/wordnet";
import {
  cleanDescription, loadDebianDescriptions, loadDebianParallel, parseDeb822, stripArchiveArea,
} from "../src/data/text/debianDescriptions";
import { loadParallelCorpus, loadTextCorpus, PARALLEL_CORPORA, TEXT_CORPORA } from "../src/data/text/corpora";
import {
  catalogPairs, hasFormatDirective, loadGettextPairs, type MoCatalog, parseMo, readMo, stripAccelerators,
} from "../src/data/text/gettext";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIX = join(ROOT, "data", "fixtures", "text");
const WN_FIX = join(FIX, "wordnet");
const DEB_FIX = join(FIX, "debian");
const LOCALE_FIX = join(FIX, "locale");
const SED_MO = join(LOCALE_FIX, "es", "LC_MESSAGES", "sed.mo");

const PINNED_TEST_IDS = ["id8", "id9"];
const hasWordnet = ["noun", "verb", "adj", "adv"].every((p) => existsSync(join(WORDNET_DIR, `data.${p}`)));

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "lb-text-"));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("fixed split", () => {
  it("is a pure function of the id, ~20% test", () => {
    expect(stableHash32("abc")).toBe(stableHash32("abc"));
    expect(stableHash32("abc")).not.toBe(stableHash32("abd"));
    let test = 0;
    for (let i = 0; i < 20000; i++) if (splitOf(`item-${i}`) === "test") test++;
    expect(Math.abs(test / 20000 - TEST_PERCENT / 100)).toBeLessThan(0.01);
    // Pinned values: a change of the hash would silently reshuffle every data set's split.
    expect([stableHash32(""), stableHash32("abc"), stableHash32("00736375-n")]).toEqual([2872998923, 482950588, 2880553522]);
    const ids = Array.from({ length: 12 }, (_, i) => `id${i}`);
    expect(ids.filter((id) => splitOf(id) === "test")).toEqual(PINNED_TEST_IDS);
  });

  it("is deterministic, disjoint and covers every item (WordNet fixture)", () => {
    const all = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun", "verb", "adj"] });
    const train = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun", "verb", "adj"], split: "train" });
    const test = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun", "verb", "adj"], split: "test" });
    const again = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun", "verb", "adj"], split: "test" });
    expect(all.items).toHaveLength(11);
    expect(test.items.map((i) => i.id)).toEqual(["00002452-n"]);
    expect(again.items.map((i) => i.id)).toEqual(test.items.map((i) => i.id));
    const tr = new Set(train.items.map((i) => i.id));
    const te = new Set(test.items.map((i) => i.id));
    for (const id of te) expect(tr.has(id)).toBe(false);
    expect(new Set([...tr, ...te])).toEqual(new Set(all.items.map((i) => i.id)));
    for (const it of test.items) expect(splitOf(it.id)).toBe("test");
    // Same classes (and label numbers) in both splits.
    expect(train.classNames).toEqual(all.classNames);
    expect(test.classNames).toEqual(all.classNames);
    // limit takes a prefix of the stable order.
    const three = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun", "verb", "adj"], limit: 3 });
    expect(three.items.map((i) => i.id)).toEqual(all.items.slice(0, 3).map((i) => i.id));
  });

  it.skipIf(!hasWordnet)("splits the real WordNet 80/20, disjoint and complete", () => {
    const all = loadWordnetGlosses();
    const train = loadWordnetGlosses({ split: "train" });
    const test = loadWordnetGlosses({ split: "test" });
    expect(train.items.length + test.items.length).toBe(all.items.length);
    const tr = new Set(train.items.map((i) => i.id));
    expect(test.items.some((i) => tr.has(i.id))).toBe(false);
    expect(Math.abs(test.items.length / all.items.length - 0.2)).toBeLessThan(0.01);
  });
});

describe("WordNet", () => {
  it("parses a known synset with a hex word count of 0a exactly", () => {
    const d = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun"], text: "gloss" });
    const m = d.items.find((i) => i.id === "00736375-n")!;
    expect(m).toBeDefined();
    expect(m.lexname).toBe("noun.act");
    expect(m.lexFileNumber).toBe(4);
    expect(m.className).toBe("noun.act");
    expect(d.classNames[m.label]).toBe("noun.act");
    expect(m.words).toEqual([
      "mischief", "mischief-making", "mischievousness", "deviltry", "devilry", "devilment", "rascality",
      "roguery", "roguishness", "shenanigan",
    ]);
    expect(m.gloss).toBe("reckless or malicious behavior that causes discomfort or annoyance in others");
    expect(m.text).toBe(m.gloss);
    const b = d.items.find((i) => i.id === "00779248-n")!;
    expect(b.words).toHaveLength(12);
    expect(b.words[1]).toBe("bunco game");
    expect(b.words[11]).toBe("flimflam");
    const e = d.items.find((i) => i.id === "00001740-n")!;
    expect(e.lexname).toBe("noun.Tops");
    expect(e.words).toEqual(["entity"]);
    // 29 header lines skipped: only the 6 synsets.
    expect(d.items).toHaveLength(6);
    expect(d.license).toBe(WORDNET_LICENSE);
  });

  it("separates definition from examples, handles verb frames and adjective markers", () => {
    const v = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["verb"] });
    const breathe = v.items.find((i) => i.id === "00001740-v")!;
    expect(breathe.lexname).toBe("verb.body");
    expect(breathe.words).toEqual(["breathe", "take a breath", "respire", "suspire"]);
    expect(breathe.definition).toBe("draw air into, and expel out of, the lungs");
    expect(breathe.text).toBe(breathe.definition);
    expect(breathe.gloss).toBe(
      'draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"',
    );
    const bed = v.items.find((i) => i.id === "00017865-v")!;
    expect(bed.words).toHaveLength(10);
    expect(bed.words[9]).toBe("retire");
    const a = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["adj"], text: "words+definition" });
    const galore = a.items.find((i) => i.id === "00014358-s")!;
    expect(galore.words).toEqual(["abounding", "galore"]);
    expect(galore.text).toBe("abounding, galore: existing in abundance");
    expect(a.items.find((i) => i.id === "00019731-s")!.words).toEqual(["handy", "ready to hand"]);
  });

  it("restricts and orders classes, filters small ones", () => {
    const d = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun"], classes: ["noun.act", "noun.Tops"] });
    expect(d.classNames).toEqual(["noun.act", "noun.Tops"]);
    expect(d.items.filter((i) => i.label === 0)).toHaveLength(2);
    expect(d.items.filter((i) => i.label === 1)).toHaveLength(4);
    const big = loadWordnetGlosses({ dir: WN_FIX, partsOfSpeech: ["noun"], minClassSize: 3 });
    expect(big.classNames).toEqual(["noun.Tops"]);
    expect(() => loadWordnetGlosses({ dir: WN_FIX, classes: ["noun.stuff"] })).toThrow(InvalidParameterError);
    expect(() => loadWordnetGlosses({ dir: WN_FIX, split: "dev" as never })).toThrow(InvalidParameterError);
    expect(() => loadWordnetGlosses({ dir: WN_FIX, minClassSize: 0 })).toThrow(InvalidParameterError);
  });

  it("rejects malformed lines with a FileFormatError naming file and line", () => {
    const text = "  1 header\n00001740 03 n 02 entity 0 003 | too few words\n";
    expect(() => parseWordnetData(text, "bad.noun")).toThrow(FileFormatError);
    expect(() => parseWordnetData(text, "bad.noun")).toThrow(/bad\.noun: line 2/);
    expect(() => parseWordnetData("00001740 99 n 01 x 0 000 | y\n", "f")).toThrow(/lex_filenum/);
    expect(() => parseWordnetData("hello world\n", "f")).toThrow(FileFormatError);
  });

  it("names the setup command when the data files are missing", () => {
    expect(() => loadWordnetGlosses({ dir: tmp })).toThrow(MissingDataError);
    expect(() => loadWordnetGlosses({ dir: tmp })).toThrow(/bash scripts\/setup\.sh/);
  });

  it.skipIf(!hasWordnet)("finds all 45 lexicographer files in the full data", () => {
    const d = loadWordnetGlosses();
    expect(WORDNET_LEXNAMES).toHaveLength(45);
    expect(d.classNames).toEqual(WORDNET_LEXNAMES);
    expect(d.items.length).toBeGreaterThan(110000);
    const counts = new Map<string, number>();
    for (const i of d.items) counts.set(i.lexname, (counts.get(i.lexname) ?? 0) + 1);
    for (const name of WORDNET_LEXNAMES) expect(counts.get(name) ?? 0).toBeGreaterThan(0);
    // Labels agree with class names, and the data.* prefix agrees with the lexname.
    for (const i of d.items.slice(0, 2000)) {
      expect(d.classNames[i.label]).toBe(i.lexname);
      const pos = { n: "noun", v: "verb", a: "adj", s: "adj", r: "adv" }[i.ssType];
      expect(i.lexname.split(".")[0]).toBe(pos);
    }
  });
});

/** Rewrites a little-endian .mo as big-endian: the header, both tables and the hash table. */
function toBigEndian(le: Uint8Array): Uint8Array {
  const be = new Uint8Array(le);
  const src = new DataView(le.buffer, le.byteOffset, le.byteLength);
  const dst = new DataView(be.buffer);
  const swap = (at: number) => dst.setUint32(at, src.getUint32(at, true), false);
  for (let at = 0; at < 28; at += 4) swap(at);
  const n = src.getUint32(8, true);
  const o = src.getUint32(12, true);
  const t = src.getUint32(16, true);
  const hashSize = src.getUint32(20, true);
  const h = src.getUint32(24, true);
  for (let i = 0; i < 2 * n; i++) {
    swap(o + 4 * i);
    swap(t + 4 * i);
  }
  for (let i = 0; i < hashSize; i++) swap(h + 4 * i);
  return be;
}

describe("gettext .mo", () => {
  const bytes = new Uint8Array(readFileSync(SED_MO));

  it("reads known msgid → msgstr pairs from the sed.mo fixture", () => {
    const cat = readMo(SED_MO);
    expect(cat.littleEndian).toBe(true);
    expect(cat.entries).toHaveLength(146);
    expect(cat.entries.some((e) => e.msgid === "")).toBe(false);
    expect(cat.header.Language).toBe("es");
    expect(cat.charset).toBe("UTF-8");
    const get = (id: string) => cat.entries.find((e) => e.msgid === id)?.msgstr;
    expect(get("No match")).toBe("No hay coincidencia");
    expect(get("Memory exhausted")).toBe("Memoria agotada");
    expect(get("Invalid range end")).toBe("Final de rango inválido");
    expect(get("delimiter character is not a single-byte character")).toBe(
      "el carácter delimitador no es un carácter de un solo byte",
    );
    const plural = cat.entries.find((e) => e.msgid === "couldn't write %llu item to %s: %s")!;
    expect(plural.msgidPlural).toBe("couldn't write %llu items to %s: %s");
    expect(plural.msgstr).toBe("no se pudo escribir %llu elemento a %s: %s");
    expect(plural.forms).toEqual([
      "no se pudo escribir %llu elemento a %s: %s",
      "no se pudieron escribir %llu elementos a %s: %s",
    ]);
  });

  it("parses a big-endian .mo identically", () => {
    const be = toBigEndian(bytes);
    expect(be[0]).toBe(0x95);
    const a = parseMo(bytes, "le.mo");
    const b = parseMo(be, "be.mo");
    expect(b.littleEndian).toBe(false);
    expect(b.entries).toEqual(a.entries);
    expect(b.header).toEqual(a.header);
  });

  it("rejects truncated and foreign files with a FileFormatError naming the file", () => {
    const cut = join(tmp, "cut.mo");
    writeFileSync(cut, bytes.subarray(0, 9000));
    expect(() => readMo(cut)).toThrow(FileFormatError);
    try {
      readMo(cut);
    } catch (e) {
      expect((e as FileFormatError).argument).toBe(cut);
      expect((e as Error).message).toContain(cut);
      expect((e as Error).message).toMatch(/truncated/);
    }
    const tiny = join(tmp, "tiny.mo");
    writeFileSync(tiny, bytes.subarray(0, 20));
    expect(() => readMo(tiny)).toThrow(/tiny\.mo: too short/);
    const tables = join(tmp, "tables.mo");
    writeFileSync(tables, bytes.subarray(0, 100));
    expect(() => readMo(tables)).toThrow(/tables\.mo: truncated/);
    const png = join(tmp, "x.mo");
    writeFileSync(png, Buffer.from("\x89PNG\r\n\x1a\n0000000000000000000000000000"));
    expect(() => readMo(png)).toThrow(/x\.mo: not a GNU \.mo file/);
    expect(() => readMo(join(tmp, "absent.mo"))).toThrow(MissingDataError);
  });

  it("detects format strings", () => {
    for (const s of ["%s", "value %d", "%1$s of %2$s", "%lu bytes", "%(name)s here", "{0} files", "{} and {name}",
      "100%% done", "%<PRIu64> items", "%H hours", "%1 files", "{0:.2f} s"]) {
      expect([s, hasFormatDirective(s)]).toEqual([s, true]);
    }
    for (const s of ["Memory exhausted", "100% sure", "No match", "use \\{ and \\}", "a b"]) {
      expect([s, hasFormatDirective(s)]).toEqual([s, false]);
    }
  });

  it("strips accelerators and filters pairs", () => {
    expect(stripAccelerators("_Open File")).toBe("Open File");
    expect(stripAccelerators("Save _As")).toBe("Save As");
    expect(stripAccelerators("&File")).toBe("File");
    expect(stripAccelerators("ファイルを開く(_O)")).toBe("ファイルを開く");
    expect(stripAccelerators("Tom && Jerry")).toBe("Tom & Jerry");
    expect(stripAccelerators("max_wal_size and min_wal_size")).toBe("max_wal_size and min_wal_size");
    expect(normalizeSpace("ファイルを\n開く\n now")).toBe("ファイルを開く now");
    const cat: MoCatalog = {
      header: {}, littleEndian: true, revision: 0, charset: "UTF-8",
      entries: [
        { msgid: "Open %s now", msgstr: "Abrir %s ahora", forms: [] },
        { msgid: "Delete {0} files", msgstr: "Borrar {0} ficheros", forms: [] },
        { msgid: "Hello %(user)s there", msgstr: "Hola %(user)s", forms: [] },
        { msgid: "Save _As", msgstr: "Guardar _como", forms: [] },
        { msgid: "Quit", msgstr: "Salir", forms: [] },
        { msgid: "Open File", msgstr: "Open File", forms: [] },
        { msgid: "Not translated", msgstr: "", forms: [] },
        { msgid: "Save\n  _As", msgstr: "Guardar como (dup)", forms: [] },
      ],
    };
    const pairs = catalogPairs(cat, "demo");
    expect([...pairs.values()]).toEqual([{ english: "Save As", translation: "Guardar como", domain: "demo" }]);
  });

  it("loads aligned pairs from a locale folder", () => {
    const d = loadGettextPairs({ languages: ["es"], localeDir: LOCALE_FIX });
    expect(d.languages).toEqual(["en", "es"]);
    expect(d.classNames).toEqual(["sed"]);
    const byEn = new Map(d.items.map((i) => [i.english, i.texts.es]));
    expect(byEn.get("No match")).toBe("No hay coincidencia");
    expect(byEn.get("Memory exhausted")).toBe("Memoria agotada");
    expect(byEn.has("Success")).toBe(false); // one word
    for (const i of d.items) {
      expect(hasFormatDirective(i.english) || hasFormatDirective(i.texts.es!)).toBe(false);
      expect(i.english.split(" ").length).toBeGreaterThanOrEqual(2);
      expect(i.texts.es).not.toBe(i.english);
      expect(d.texts.es[d.items.indexOf(i)]).toBe(i.texts.es);
    }
    expect(new Set(d.items.map((i) => i.id)).size).toBe(d.items.length);
    expect(d.pairsPerLanguage.es).toBe(d.items.length);
    expect(d.items.length).toBeGreaterThan(40);
    expect(d.items.length).toBeLessThan(146);
    // A second language with the same catalog aligns; requireAll drops what only one has.
    const fr = join(tmp, "locale", "fr", "LC_MESSAGES");
    mkdirSync(fr, { recursive: true });
    copyFileSync(SED_MO, join(fr, "sed.mo"));
    const es = join(tmp, "locale", "es", "LC_MESSAGES");
    mkdirSync(es, { recursive: true });
    copyFileSync(SED_MO, join(es, "sed.mo"));
    const two = loadGettextPairs({ languages: ["es", "fr"], localeDir: join(tmp, "locale") });
    expect(two.items.length).toBe(d.items.length);
    expect(() => loadGettextPairs({ languages: ["ja"], localeDir: LOCALE_FIX })).toThrow(MissingDataError);
    expect(() => loadGettextPairs({ languages: ["ja"], localeDir: LOCALE_FIX })).toThrow(/bash scripts\/setup\.sh/);
    expect(() => loadGettextPairs({ languages: ["../x"], localeDir: LOCALE_FIX })).toThrow(InvalidParameterError);
  });
});

const XXD = "d658dacad23806722eb421aab7cc53e5";
const GCC = "c7efd71c7c651a9ac8b2adf36b137790";
const FOUR = new Map([
  [XXD, "editors"], ["20c8545ce7ba7273dbeefb5186103e04", "x11"], [GCC, "devel"],
  ["8bf2558b07fadf3d91eb63fd2583d7d8", "games"], ["d4aef101ff5430158eae72e808000f6c", "libs"],
]);

describe("Debian descriptions", () => {
  it("parses deb822 and cleans descriptions", () => {
    const st = parseDeb822("Package: a\nDescription-en: short\n line one\n  .\n line two\n\nPackage: b\n", "x");
    expect(st).toEqual([{ Package: "a", "Description-en": "short\n line one\n  .\n line two" }, { Package: "b" }]);
    expect(() => parseDeb822(" orphan\n", "x.txt")).toThrow(/x\.txt: line 1/);
    expect(cleanDescription("short\n line one\n continued\n .\n  verbatim  code\n next")).toEqual({
      short: "short",
      long: "line one continued\n verbatim  code\nnext",
      text: "short\nline one continued\n verbatim  code\nnext",
    });
    expect(stripArchiveArea("contrib/net")).toBe("net");
    expect(stripArchiveArea("non-free-firmware/kernel")).toBe("kernel");
    expect(stripArchiveArea("games")).toBe("games");
  });

  it("aligns the fixture by Description-md5 with Section labels", () => {
    const d = loadDebianParallel({ dir: DEB_FIX });
    expect(d.languages).toEqual(["en", "es", "fr", "ja"]);
    expect(new Map(d.items.map((i) => [i.id, i.section]))).toEqual(FOUR);
    for (const i of d.items) expect(d.classNames[i.label]).toBe(i.section);
    const xxd = d.items.find((i) => i.id === XXD)!;
    expect(xxd.packages).toEqual(["xxd"]);
    expect(xxd.texts.en).toBe(
      "tool to make (or reverse) a hex dump\nxxd creates a hex dump of a given file or standard input.  It can also " +
        "convert a hex dump back to its original binary form.",
    );
    expect(xxd.texts.es!.startsWith("herramienta para hacer (o revertir) un volcado hexadecimal\nxxd crea")).toBe(true);
    expect(xxd.texts.fr!.startsWith("outil pour générer (ou inverser) un vidage hexdécimal")).toBe(true);
    // Japanese lines are joined without spaces.
    expect(xxd.texts.ja).toBe(
      "ヘックスダンプ生成（および復元）ツール\nxxd はファイルもしくは標準入力のヘックスダンプを生成します。" +
        "ヘックスダンプから元のバイナリ形式へ復元することもできます。",
    );
    // The " ." paragraph marker (here "  ." in the Spanish text) becomes a line break.
    const gcc = d.items.find((i) => i.id === GCC)!;
    expect(gcc.texts.es).toBe(
      "el compilador de C de GNU\nEste es el compilador de C de GNU, un compilador de C bastante portable con " +
        "optimización.\nEste es un paquete de dependencia que proporciona el compilador de C de GNU predeterminado.",
    );
    expect(d.texts.en[d.items.indexOf(gcc)]).toBe(gcc.texts.en);

    const any = loadDebianParallel({ dir: DEB_FIX, requireAll: false });
    expect(any.items).toHaveLength(7);
    const fm = any.items.find((i) => i.packages[0] === "fmtools")!;
    expect(fm.section).toBe("sound");
    expect(Object.keys(fm.texts).sort()).toEqual(["en", "es"]);
    expect(any.perLanguage).toEqual({ en: 7, es: 7, fr: 5, ja: 5 });

    const enEs = loadDebianParallel({ dir: DEB_FIX, languages: ["en", "es"] });
    expect(enEs.items).toHaveLength(7);
  });

  it("labels English descriptions by Section, dropping those without a Packages entry", () => {
    const d = loadDebianDescriptions({ dir: DEB_FIX });
    expect(d.items).toHaveLength(7); // sysconfig-hardware (s390x only) has no Section here
    expect(d.classNames).toEqual(["devel", "editors", "games", "libs", "sound", "x11"]);
    expect(d.items.find((i) => i.packages[0] === "liwc")!.className).toBe("devel");
    expect(d.items.find((i) => i.id === XXD)!.short).toBe("tool to make (or reverse) a hex dump");
    const two = loadDebianDescriptions({ dir: DEB_FIX, minClassSize: 2 });
    expect(two.classNames).toEqual(["devel"]);
    expect([...two.labels]).toEqual([0, 0]);
  });

  it("drops stale translations whose md5 matches no English description", () => {
    for (const f of readdirSync(DEB_FIX)) if (f.startsWith("fixture_")) copyFileSync(join(DEB_FIX, f), join(tmp, f));
    const es = join(tmp, "fixture_i18n_Translation-es");
    writeFileSync(
      es,
      readFileSync(es, "utf8") +
        "\nPackage: xxd\nDescription-md5: 00000000000000000000000000000000\nDescription-es: obsoleto\n texto viejo\n",
    );
    const d = loadDebianParallel({ dir: tmp, languages: ["en", "es"] });
    expect(d.items).toHaveLength(7);
    expect(d.items.some((i) => i.id === "00000000000000000000000000000000")).toBe(false);
  });

  it("names bash scripts/setup.sh when the cache is missing", () => {
    const saved = process.env.LATENT_BRIDGE_CACHE_DIR;
    process.env.LATENT_BRIDGE_CACHE_DIR = join(tmp, "empty-cache");
    try {
      expect(cacheRoot()).toBe(join(tmp, "empty-cache"));
      expect(() => loadDebianDescriptions()).toThrow(MissingDataError);
      expect(() => loadDebianDescriptions()).toThrow(/bash scripts\/setup\.sh/);
      expect(() => loadDebianParallel()).toThrow(/bash scripts\/setup\.sh/);
    } finally {
      if (saved === undefined) delete process.env.LATENT_BRIDGE_CACHE_DIR;
      else process.env.LATENT_BRIDGE_CACHE_DIR = saved;
    }
    const partial = join(tmp, "partial");
    mkdirSync(partial);
    copyFileSync(join(DEB_FIX, "fixture_binary-amd64_Packages"), join(partial, "x_Packages"));
    copyFileSync(join(DEB_FIX, "fixture_i18n_Translation-en"), join(partial, "x_Translation-en"));
    expect(() => loadDebianParallel({ dir: partial, languages: ["en", "de"] })).toThrow(/no Translation-de.*bash scripts\/setup\.sh/s);
    expect(() => loadDebianParallel({ dir: partial, languages: ["en"] })).toThrow(InvalidParameterError);
  });
});

describe("scripts/fetch-apt-translations.sh", () => {
  it("does nothing when the cache is complete (idempotent, no network)", () => {
    const text = join(tmp, "apt", "text");
    mkdirSync(text, { recursive: true });
    writeFileSync(join(text, ".complete"), "languages=en,es,fr,ja\n");
    const r = spawnSync("bash", [join(ROOT, "scripts", "fetch-apt-translations.sh")], {
      env: { ...process.env, LATENT_BRIDGE_CACHE_DIR: tmp }, encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/up to date/);
    expect(spawnSync("bash", [join(ROOT, "scripts", "fetch-apt-translations.sh"), "--bogus"]).status).toBe(2);
  });
});

describe("the corpus registry (corpora.ts)", () => {
  it("names the corpora the text encoders are fitted on and refuses other names", () => {
    expect(TEXT_CORPORA).toEqual(["wordnet", "debian"]);
    expect(PARALLEL_CORPORA).toEqual(["gettext", "debian"]);
    expect(() => loadTextCorpus("imdb" as never, "train")).toThrow(InvalidParameterError);
    expect(() => loadParallelCorpus("wikimatrix" as never, { split: "train" })).toThrow(InvalidParameterError);
    expect(() => loadParallelCorpus("gettext", { split: "train", languages: ["es"] })).toThrow(/at least two languages/);
    expect(() => loadParallelCorpus("gettext", { split: "train", languages: ["es", "fr"] })).toThrow(/English-pivoted/);
  });

  it.skipIf(!hasWordnet)("\"wordnet\" is the WordNet glosses of a split, limited in their stable order", () => {
    const viaRegistry = loadTextCorpus("wordnet", "test", 300);
    const direct = loadWordnetGlosses({ split: "test", limit: 300 });
    expect(viaRegistry.items.map((i) => i.id)).toEqual(direct.items.map((i) => i.id));
    expect(Array.from(viaRegistry.labels)).toEqual(Array.from(direct.labels));
    expect(viaRegistry.split).toBe("test");
  });
});
