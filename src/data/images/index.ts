/** Real image data sets (Fashion-MNIST, emoji), subsets and pixel helpers. */
export { MissingDataError } from "../../errors";
export { resizeBilinear, greyToRgb } from "./resize";
export { decodePng, decodePngBytes, rgbaOnWhite, type RgbaImage } from "./png";
export {
  loadFashionMnist, parseIdxImages, parseIdxLabels, encodeIdxImages, encodeIdxLabels, fashionMnistPixels, fashionMnistBatch, fnv1a32,
  FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV, FASHION_MNIST_FILES, FASHION_MNIST_LICENSE,
  type FashionMnist, type FashionMnistOptions, type FashionMnistSplit, type IdxImages,
} from "./fashionMnist";
export {
  loadEmoji, alignEmojiSets, emojiImagePath, emojiPixels, emojiBatch, emojiPackageDir,
  EMOJI_SETS, EMOJI_SPLIT_SEED, EMOJI_TEST_FRACTION, EMOJI_DROPPED_CATEGORIES, EMOJI_LICENSE, EMOJI_IMAGE_SIZE,
  type EmojiSet, type EmojiSplit, type EmojiItem, type EmojiOptions, type EmojiData, type AlignedEmoji,
} from "./emoji";
