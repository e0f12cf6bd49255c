/**
 * Writes the tiny real data subsets that the tests use, under data/fixtures/:
 *   data/fixtures/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
 * = the first 20 images and labels of each official Fashion-MNIST split, re-packed as gzipped IDX
 * files, read from Debian's dataset-fashion-mnist. Prints the checksums that
 * test/data-images.test.ts checks. Run: npx tsx scripts/make-data-fixtures.ts [sourceDir]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import {
  encodeIdxImages, encodeIdxLabels, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES, fnv1a32, loadFashionMnist,
} from "../src/data/images/fashionMnist";

const COUNT = 20;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.argv[2] ?? FASHION_MNIST_DEFAULT_DIR;
const outDir = join(root, "data", "fixtures", "fashion-mnist");
mkdirSync(outDir, { recursive: true });

for (const split of ["test", "train"] as const) {
  const data = loadFashionMnist({ split, limit: COUNT, dir: source });
  const files = FASHION_MNIST_FILES[split];
  // level 9 and a zero mtime (Node writes 0) keep the bytes reproducible.
  const images = gzipSync(encodeIdxImages(data.images, data.count, 28, 28), { level: 9 });
  const labels = gzipSync(encodeIdxLabels(data.labels), { level: 9 });
  writeFileSync(join(outDir, files.images), images);
  writeFileSync(join(outDir, files.labels), labels);
  const first = data.images.subarray(0, 784);
  let sum = 0;
  for (const p of first) sum += p;
  console.log(
    `${split}: ${data.count} items, labels ${Array.from(data.labels).join(",")}; ` +
      `image 0 pixel sum ${sum}, FNV-1a 0x${fnv1a32(first).toString(16).padStart(8, "0")}; ` +
      `all ${COUNT} images FNV-1a 0x${fnv1a32(data.images).toString(16).padStart(8, "0")}; ` +
      `${files.images} ${images.length} B, ${files.labels} ${labels.length} B`,
  );
}
