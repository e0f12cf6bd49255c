/**
 * Real text data sets available offline (see each module for format, split and license):
 *   loadWordnetGlosses      WordNet 3.0 glosses → 45 lexicographer files (Debian wordnet-base)
 *   loadDebianDescriptions  Debian package descriptions → Section (apt index cache)
 *   loadDebianParallel      the same descriptions in en/es/fr/ja, aligned by Description-md5
 *   loadGettextPairs        English msgid ↔ es/fr/ja msgstr from /usr/share/locale .mo catalogs
 *   loadTextCorpus, loadParallelCorpus   the corpus registry: the corpora the trained text encoders
 *                           are fitted on, by name (corpora.ts)
 */
export {
  checkLabelledOptions, MissingDataError, normalizeSpace, selectLabelled, SETUP_COMMAND, splitOf,
  stableHash32, TEST_PERCENT, type LabelledLoadOptions, type ParallelItem, type ParallelTextDataset, type Split,
  type TextDataset, type TextItem,
} from "./common";
export {
  loadWordnetGlosses, parseWordnetData, readWordnetData, WORDNET_DIR, WORDNET_LEXNAMES, WORDNET_LICENSE, WORDNET_POS,
  type WordnetItem, type WordnetLoadOptions, type WordnetPos, type WordnetSynset,
} from "./wordnet";
export {
  cleanDescription, debianTextDir, DEBIAN_LICENSE, loadDebianDescriptions, loadDebianParallel, parseDeb822,
  stripArchiveArea, type DebianDescriptionItem, type DebianLoadOptions, type DebianParallelDataset,
  type DebianParallelItem, type DebianParallelOptions, type Stanza,
} from "./debianDescriptions";
export {
  catalogPairs, cleanMessage, GETTEXT_LICENSE, hasFormatDirective, listMoFiles, loadGettextPairs, LOCALE_DIR,
  MO_MAGIC, parseMo, readMo, stripAccelerators, type GettextDataset, type GettextItem, type GettextLoadOptions,
  type GettextPair, type MoCatalog, type MoEntry,
} from "./gettext";
export {
  DEBIAN_MIN_CLASS_SIZE, loadParallelCorpus, loadTextCorpus, PARALLEL_CORPORA, PARALLEL_LANGUAGES, TEXT_CORPORA,
  type LoadParallelCorpusOptions, type ParallelCorpus, type ParallelCorpusName, type TextCorpusName,
} from "./corpora";
