/**
 * Shared pieces of the trained encoders' networks (image MLP/CNN, bag-of-words MLP): activations
 * and conversions between tfjs variables and plain float32 arrays. Initialisation and the softmax
 * training loop are the classification heads' (src/heads/softmaxTraining.ts: `initWeight`,
 * `trainSoftmax`), so encoders and heads train the same way: the tfjs core API (variables + our own
 * forward function + tf.train.adam), weights from our seeded `Random` (He-uniform before ReLU/ELU,
 * Glorot-uniform otherwise, zero biases), minibatches in a seeded order — one seed gives
 * bit-identical weights on the same machine and backend. `jointHead` wraps the linear softmax layer
 * trained jointly with an encoder as a ClassificationHead.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../engine/tf";
import { ClassificationHead } from "../../heads/classifier";
import type { SoftmaxHistory } from "../../heads/softmaxTraining";
import type { TrainingInfo } from "../../heads/spec";
import { Matrix } from "../../linalg/matrix";

/** Nonlinearity of an encoder's hidden and latent layers. */
export type EncoderActivation = "relu" | "tanh" | "elu";
export const ENCODER_ACTIVATIONS: readonly EncoderActivation[] = ["relu", "tanh", "elu"];

export function activate(tf: Tf, x: TF.Tensor, activation: EncoderActivation): TF.Tensor {
  switch (activation) {
    case "relu": return tf.relu(x);
    case "tanh": return tf.tanh(x);
    case "elu": return tf.elu(x);
  }
}

/** One trainable parameter: its name in files, its shape and its current (or initial) values. */
export interface ParamSpec {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** tfjs variables for `params`, in order (created inside a tidy so the initial tensors are freed). */
export function toVariables(tf: Tf, params: ParamSpec[]): TF.Variable[] {
  return params.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.data, p.shape, "float32"), true, undefined, "float32")));
}

/** Constant tensors (kept) for inference. */
export function toConstants(tf: Tf, params: ParamSpec[]): TF.Tensor[] {
  return params.map((p) => tf.keep(tf.tensor(p.data, p.shape, "float32")));
}

/** Rows of latents computed per inference block. */
export const EMBED_BLOCK = 512;

/**
 * A rows × dim matrix of latents computed EMBED_BLOCK rows at a time: `latent(r0, r1)` gives the
 * float32 latents of rows [r0, r1) (called inside a tidy; its intermediates are freed).
 */
export function latentsInBlocks(tf: Tf, rows: number, dim: number, latent: (r0: number, r1: number) => TF.Tensor2D): Matrix {
  const out = new Matrix(rows, dim);
  for (let r0 = 0; r0 < rows; r0 += EMBED_BLOCK) {
    const r1 = Math.min(rows, r0 + EMBED_BLOCK);
    const z = tf.tidy(() => latent(r0, r1));
    try {
      out.data.set(z.dataSync() as Float32Array, r0 * dim);
    } finally {
      z.dispose();
    }
  }
  return out;
}

/** Current values of variables as plain float32 arrays (copies). */
export function readVariables(params: ParamSpec[], variables: TF.Variable[]): ParamSpec[] {
  return params.map((p, i) => ({ name: p.name, shape: [...p.shape], data: Float32Array.from(variables[i].dataSync() as Float32Array) }));
}

/**
 * The linear softmax layer an encoder was trained with ("head.w", "head.b" among `params`), as a
 * ClassificationHead on the encoder's latent (predicts the classes from `embed` output).
 */
export function jointHead(
  tf: Tf, spec: { id: string; seed: number; epochs: number; batchSize: number; learningRate: number; latentDim: number },
  params: readonly ParamSpec[], numClasses: number, history: SoftmaxHistory, training: Omit<TrainingInfo, "label">,
): ClassificationHead {
  const weight = params.find((p) => p.name === "head.w")!.data, bias = params.find((p) => p.name === "head.b")!.data;
  return new ClassificationHead(tf, {
    spec: {
      kind: "linear", hidden: [], activation: "relu", useBias: true, seed: spec.seed, epochs: spec.epochs,
      batchSize: spec.batchSize, learningRate: spec.learningRate, weightDecay: 0, standardize: false,
    },
    inputDim: spec.latentDim, numClasses,
    layers: [{ inputDim: spec.latentDim, outputDim: numClasses, weight, bias }],
    standardization: null,
    history: { loss: history.loss, trainAccuracy: history.trainAccuracy, secondsPerEpoch: history.secondsPerEpoch },
    training: {
      samples: training.samples, seconds: training.seconds, backend: training.backend, tfjsVersion: training.tfjsVersion,
      createdAt: training.createdAt, label: `${spec.id} head`,
    },
  });
}
