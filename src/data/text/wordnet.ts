/**
 * WordNet 3.0 synset glosses labelled by lexicographer file (noun.artifact, verb.motion, adj.all…):
 * a short-text classification set with 45 classes, from Debian's `wordnet-base`
 * (/usr/share/wordnet/data.{noun,verb,adj,adv}).
 *
 * A data file line (wndb(5WN)):
 *   offset lex_filenum ss_type w_cnt word lex_id [word lex_id…] p_cnt [ptr…] [frames…] | gloss
 * offset: 8 decimal digits; lex_filenum: 2 decimal digits; ss_type: n v a s r; w_cnt: 2 HEX digits;
 * lex_id: 1 hex digit; p_cnt: 3 decimal digits; ptr = symbol offset pos source/target (4 hex).
 * The license header lines at the top start with two spaces and are skipped.
 *
 * Split: by the synset id "offset-ss_type" (see common.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileFormatError, InvalidParameterError } from "../../errors";
import {
  checkLabelledOptions, type LabelledLoadOptions, MissingDataError, selectLabelled, SETUP_COMMAND,
  type TextDataset, type TextItem,
} from "./common";

export const WORDNET_LICENSE = "WordNet 3.0 license (Princeton University), Debian package wordnet-base";
export const WORDNET_DIR = "/usr/share/wordnet";

/**
 * The 45 lexicographer files, indexed by lex_filenum (lexnames(5WN); Debian does not ship the
 * lexnames file, so they are listed here).
 */
export const WORDNET_LEXNAMES: readonly string[] = [
  "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
  "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
  "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
  "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
  "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change",
  "verb.cognition", "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
  "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social",
  "verb.stative", "verb.weather", "adj.ppl",
];

export type WordnetPos = "noun" | "verb" | "adj" | "adv";
export const WORDNET_POS: readonly WordnetPos[] = ["noun", "verb", "adj", "adv"];

/** One synset as parsed from a data file. */
export interface WordnetSynset {
  /** "offset-ss_type", e.g. "00001740-n": unique over the four data files. */
  id: string;
  /** Byte offset of the synset in its data file. */
  offset: number;
  /** n, v, a, s (adjective satellite) or r. */
  ssType: "n" | "v" | "a" | "s" | "r";
  lexFileNumber: number;
  /** WORDNET_LEXNAMES[lexFileNumber]. */
  lexname: string;
  /** The synset's words, underscores turned into spaces, adjective markers like "(p)" removed. */
  words: string[];
  /** The whole gloss: definition and examples. */
  gloss: string;
  /** The gloss before its quoted examples (before the first `; "`). */
  definition: string;
}

export interface WordnetItem extends TextItem, WordnetSynset {}

const LINE = /^(\d{8}) (\d{2}) ([nvasr]) ([0-9a-fA-F]{2}) /;

/**
 * Parses the text of a WordNet data file. `file` names it in errors. Header lines (starting with two
 * spaces) and empty lines are skipped; anything else that is not a synset line is a FileFormatError.
 */
export function parseWordnetData(text: string, file = "WordNet data"): WordnetSynset[] {
  const out: WordnetSynset[] = [];
  const lines = text.split("\n");
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln].replace(/\r$/, "");
    if (line === "" || line.startsWith("  ")) continue;
    const bad = (what: string) =>
      new FileFormatError(file, `line ${ln + 1}: ${what}: ${JSON.stringify(line.slice(0, 80))}`);
    const m = LINE.exec(line);
    if (!m) throw bad("not a synset line (offset lex_filenum ss_type w_cnt …)");
    const bar = line.indexOf(" | ");
    const head = (bar < 0 ? line : line.slice(0, bar)).split(" ");
    const lexFileNumber = Number(m[2]);
    if (lexFileNumber >= WORDNET_LEXNAMES.length) throw bad(`lex_filenum ${m[2]} is not one of the 45 lexicographer files`);
    const wCnt = parseInt(m[4], 16);
    if (wCnt < 1) throw bad("word count 0");
    if (head.length < 4 + 2 * wCnt + 1) throw bad(`expected ${wCnt} words and a pointer count`);
    const words: string[] = [];
    for (let w = 0; w < wCnt; w++) {
      const word = head[4 + 2 * w];
      const lexId = head[5 + 2 * w];
      if (!word || !/^[0-9a-fA-F]$/.test(lexId)) throw bad(`word ${w + 1} of ${wCnt} is malformed`);
      words.push(word.replace(/\((?:a|p|ip)\)$/, "").replace(/_/g, " "));
    }
    const pCnt = head[4 + 2 * wCnt];
    if (!/^\d{3}$/.test(pCnt)) throw bad(`expected a 3-digit pointer count after ${wCnt} words, got ${JSON.stringify(pCnt)}`);
    const gloss = bar < 0 ? "" : line.slice(bar + 3).trim();
    const ex = gloss.search(/;\s*"/);
    const definition = (ex < 0 ? gloss : gloss.slice(0, ex)).trim();
    const ssType = m[3] as WordnetSynset["ssType"];
    out.push({
      id: `${m[1]}-${ssType}`,
      offset: Number(m[1]),
      ssType,
      lexFileNumber,
      lexname: WORDNET_LEXNAMES[lexFileNumber],
      words,
      gloss,
      definition,
    });
  }
  return out;
}

/** Reads and parses one data file; a missing file is a MissingDataError naming the setup command. */
export function readWordnetData(path: string): WordnetSynset[] {
  if (!existsSync(path)) {
    throw new MissingDataError(
      path,
      `WordNet data file not found; run \`${SETUP_COMMAND}\` (it installs Debian's wordnet-base) or pass \`dir\``,
    );
  }
  return parseWordnetData(readFileSync(path, "utf8"), path);
}

export interface WordnetLoadOptions extends LabelledLoadOptions {
  /** Folder with data.noun, data.verb, data.adj, data.adv (default /usr/share/wordnet). */
  dir?: string;
  /** Which data files to read (default all four). */
  partsOfSpeech?: readonly WordnetPos[];
  /** Keep only these lexicographer files, in this label order (default all, in lex_filenum order). */
  classes?: readonly string[];
  /**
   * What `text` is: "definition" (gloss without examples, default), "gloss" (with examples), or
   * "words+definition" ("word, word: definition").
   */
  text?: "definition" | "gloss" | "words+definition";
}

/**
 * WordNet synsets with their gloss as text and their lexicographer file as label.
 *
 *   const { texts, labels, classNames } = loadWordnetGlosses({ split: "train", minClassSize: 100 });
 */
export function loadWordnetGlosses(options: WordnetLoadOptions = {}): TextDataset<WordnetItem> {
  const sel = checkLabelledOptions(options);
  const dir = options.dir ?? WORDNET_DIR;
  const pos = options.partsOfSpeech ?? WORDNET_POS;
  for (const p of pos) {
    if (!WORDNET_POS.includes(p)) {
      throw new InvalidParameterError("partsOfSpeech", `expected some of ${WORDNET_POS.join(", ")}, got ${JSON.stringify(p)}`);
    }
  }
  if (options.classes) {
    for (const c of options.classes) {
      if (!WORDNET_LEXNAMES.includes(c)) {
        throw new InvalidParameterError("classes", `${JSON.stringify(c)} is not a WordNet lexicographer file (e.g. "noun.artifact")`);
      }
    }
  }
  const mode = options.text ?? "definition";
  if (!["definition", "gloss", "words+definition"].includes(mode)) {
    throw new InvalidParameterError("text", `expected "definition", "gloss" or "words+definition", got ${JSON.stringify(mode)}`);
  }
  const all: WordnetSynset[] = [];
  for (const p of pos) all.push(...readWordnetData(join(dir, `data.${p}`)));
  const { items, classNames } = selectLabelled(
    all,
    (s) => s.lexname,
    { ...sel, order: options.classes ?? WORDNET_LEXNAMES },
    (s, label, className): WordnetItem => ({
      ...s,
      text: mode === "gloss" ? s.gloss : mode === "definition" ? s.definition : `${s.words.join(", ")}: ${s.definition}`,
      label,
      className,
    }),
  );
  return {
    name: "wordnet-glosses",
    split: sel.split,
    items,
    texts: items.map((i) => i.text),
    labels: Int32Array.from(items, (i) => i.label),
    classNames,
    license: WORDNET_LICENSE,
    source: pos.map((p) => join(dir, `data.${p}`)).join(", "),
  };
}
