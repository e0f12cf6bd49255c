/**
 * Fashion-MNIST as stitching spaces: class-balanced, seeded subsets of the official train and test
 * splits embedded by the ImageNet-pretrained backbones and by self-trained Fashion-MNIST encoders,
 * through the resumable embedding cache. The subsets are drawn as `fashionMnistSpaces` draws its
 * anchors and held-out items (the same indices and cache names), so the notebooks share cache
 * entries.
 */
import { loadFashionMnist } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { embedImages } from "../encoders/pretrained/index";
import { cachedImageEncoder, embedFashionMnist, IMAGE_ENCODER_IDS, imageEncoderSpec } from "../encoders/trained/imageEncoders";
import { InvalidParameterError } from "../errors";
import { PRETRAINED_IMAGE_ENCODERS } from "./fashionMnistSpaces";
import { assembleSpaces, type EncoderEmbeddings, type StitchingSpaces } from "./spaces";

export interface FashionMnistStitchingOptions {
  encoders: string[];
  /** Train items (class-balanced): anchors and heads come from them. */
  train: number;
  /** Test items (class-balanced). */
  test: number;
  seed?: number;
}

const isPretrained = (id: string): id is (typeof PRETRAINED_IMAGE_ENCODERS)[number] => (PRETRAINED_IMAGE_ENCODERS as readonly string[]).includes(id);

export async function fashionMnistStitchingSpaces(o: FashionMnistStitchingOptions): Promise<StitchingSpaces> {
  const seed = o.seed ?? 0;
  for (const e of o.encoders) {
    if (!isPretrained(e) && !IMAGE_ENCODER_IDS.includes(e)) {
      throw new InvalidParameterError("encoders", `unknown Fashion-MNIST encoder "${e}"; expected one of ${[...PRETRAINED_IMAGE_ENCODERS, ...IMAGE_ENCODER_IDS].join(", ")}`);
    }
  }
  const data = { train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test" }) };
  const idx = {
    train: stratifiedSubset(data.train.labels, { total: o.train }, seed),
    test: stratifiedSubset(data.test.labels, { total: o.test }, seed),
  };
  const idsOf = (split: "train" | "test", indices: ArrayLike<number>) => Array.from(indices, (i) => `${split}-${i}`);
  const embeddings: EncoderEmbeddings[] = [];
  for (const encoder of o.encoders) {
    const got = { train: undefined as unknown as EncoderEmbeddings["train"], test: undefined as unknown as EncoderEmbeddings["test"] };
    const ids = { train: [] as string[], test: [] as string[] };
    for (const split of ["train", "test"] as const) {
      const name = `n${o[split]}-s${seed}`;
      if (isPretrained(encoder)) {
        const r = await embedImages({ encoder, dataset: "fashion-mnist", split, indices: idx[split], subset: name });
        got[split] = r.matrix;
        ids[split] = idsOf(split, r.indices);
      } else {
        const trained = await cachedImageEncoder(imageEncoderSpec(encoder));
        got[split] = await embedFashionMnist(trained, { split, indices: idx[split], subsetName: name, data: data[split] });
        ids[split] = idsOf(split, idx[split]);
        trained.dispose();
      }
    }
    embeddings.push({
      info: {
        name: encoder, modality: "image", kind: isPretrained(encoder) ? "pretrained" : "self-trained",
        description: isPretrained(encoder) ? "ImageNet-pretrained backbone (nsfwjs), pooled features" : imageEncoderSpec(encoder).description,
      },
      train: got.train, test: got.test, trainIds: ids.train, testIds: ids.test,
    });
  }
  return assembleSpaces({
    dataset: "fashion-mnist",
    description: `Fashion-MNIST: ${o.train} train / ${o.test} test images, class-balanced (seed ${seed}), 10 classes`,
    classNames: data.train.classNames,
    train: { ids: idsOf("train", idx.train), labels: Array.from(idx.train, (i) => data.train.labels[i]) },
    test: { ids: idsOf("test", idx.test), labels: Array.from(idx.test, (i) => data.test.labels[i]) },
    encoders: embeddings,
  });
}
