/**
 * `npm run train-encoders [-- --quick] [name …]`: trains the transformer encoders the notebooks use
 * into the encoder cache (`data/cache/encoders/`, or `$LATENT_BRIDGE_CACHE_DIR`), ahead of the
 * notebooks: in full mode they take ~10–20 min each here, and a notebook that needs one waits for it.
 * Already cached ones are read and skipped; one another process is training is left to the end and
 * then waited for, never trained twice (src/io/claim.ts). Names pick encoders by id or prefix ("vit-", "bert-word",
 * "debian"); without names, all of them: the Fashion-MNIST ViTs, the emoji ViTs, and the text
 * transformers on WordNet and on Debian ("bert-word-d128-l2-s1 debian", quoted, is that one). Each line says what it trained (or found) and the minutes
 * and accuracy recorded in its file.
 */
import { isQuickMode } from "../src/config";
import { encoderCacheDir } from "../src/data/cache";
import { BERT_ENCODER_FAMILY, bertEncoderPath, cachedBertEncoder } from "../src/encoders/trained/bert/index";
import { cachedVitEncoder, EMOJI_VIT_FAMILY, VIT_ENCODER_FAMILY, vitEncoderPath } from "../src/encoders/trained/vit/index";
import { isClaimedElsewhere } from "../src/io/claim";
import { cachedEmojiVit } from "../src/experiments/emojiSpaces";

const args = process.argv.slice(2);
const quick = args.includes("--quick") || isQuickMode();
const names = args.filter((a) => !a.startsWith("--"));

interface Job {
  name: string;
  /** Its cache file (a `.lock` beside it: another process is training it). */
  path: string;
  train: () => Promise<{ dispose(): void; training: { seconds: number; samples: number; createdAt: string } }>;
}

const jobs: Job[] = [
  ...VIT_ENCODER_FAMILY.map((s) => ({ name: `${s.id} fashion-mnist`, path: vitEncoderPath(s, { quick }), train: () => cachedVitEncoder(s, { quick }) })),
  ...EMOJI_VIT_FAMILY.map((s) => ({
    name: `${s.id} emoji`, path: vitEncoderPath(s, { quick, dir: encoderCacheDir("emoji-google-aligned") }), train: () => cachedEmojiVit(s, quick),
  })),
  ...(["wordnet", "debian"] as const).flatMap((corpus) =>
    BERT_ENCODER_FAMILY.map((s) => ({ name: `${s.id} ${corpus}`, path: bertEncoderPath(s, corpus, { quick }), train: () => cachedBertEncoder(s, corpus, { quick }) }))),
];
const chosen = names.length === 0 ? jobs : jobs.filter((j) => names.some((n) => j.name.startsWith(n) || j.name.split(" ").some((part) => part.startsWith(n))));
if (chosen.length === 0) {
  console.error(`train-encoders: nothing matches ${names.join(", ")}; the encoders are:\n  ${jobs.map((j) => j.name).join("\n  ")}`);
  process.exit(2);
}
// Ones another process is training now (a notebook, say) go last, so this one trains the others meanwhile;
// a lock left by a killed run is no claim (training takes it over), so such an encoder keeps its place.
// Looked at once: a claim that ends between two looks must neither drop the encoder nor list it twice.
const busy = new Set(chosen.filter((j) => isClaimedElsewhere(j.path)));
const order = [...chosen.filter((j) => !busy.has(j)), ...busy];
console.log(`train-encoders: ${chosen.length} encoder(s), ${quick ? "quick" : "full"} mode${busy.size > 0 ? `; being trained elsewhere, so last: ${[...busy].map((j) => j.name).join(", ")}` : ""}`);
for (const job of order) {
  const started = Date.now();
  const encoder = await job.train();
  // Trained by this call (or by another process while this one waited) when its file is newer than the call.
  const fresh = Date.parse(encoder.training.createdAt) >= started;
  console.log(`  ${job.name}: ${fresh ? "trained" : "cached"} · ${(encoder.training.seconds / 60).toFixed(1)} min on ${encoder.training.samples} items (recorded in its file)`);
  encoder.dispose();
}
