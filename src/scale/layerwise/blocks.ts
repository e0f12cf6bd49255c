/**
 * The layer graph of a Keras functional `LayersModel` (tfjs) and its "cuts": layers whose output is
 * the ONLY tensor that flows from the part of the network before them to the part after them.
 *
 * Rescaling the output of a cut layer changes everything downstream consistently; rescaling a layer
 * that is not a cut would leave a bypass (e.g. the skip connection of a residual block) untouched,
 * which is a different experiment. In MobileNetV2, `block_2_project_BN` is NOT a cut
 * (`block_1_project_BN` also flows, through the skip connection, into `block_2_add`), while
 * `block_2_add` is.
 *
 * Definition used (checked on the inbound nodes of the graph): let N be the layers the output layer
 * depends on (its ancestors, itself included) and A(L) the ancestors of L (L included). L is a cut
 * iff L ∈ N and no layer of N \ A(L) takes an input from a layer of A(L) other than L. Then every
 * layer of N is either computed before L (A(L)) or depends on the input only through L, so the
 * network splits at L: `features = suffix_L(prefix_L(x))` and any topological order of N puts A(L)
 * first. The input layer and the output layer are always cuts.
 *
 * Only "simple" graphs are accepted: every layer called once (one inbound node), one output tensor
 * per layer. Shared layers (several inbound nodes) raise `UnsupportedGraphError`.
 */
import type * as TF from "@tensorflow/tfjs";
import { InvalidParameterError, LatentBridgeError } from "../../errors";

export type KerasLayer = TF.LayersModel["layers"][number];

/** A requested layer is not a cut of the graph (some other tensor bypasses it). */
export class NotACutError extends LatentBridgeError {
  /** The layer that was refused. */
  readonly layer: string;
  /** A connection that bypasses it: `from` (computed before `layer`) feeds `to` (after it). */
  readonly bypass: { from: string; to: string };
  constructor(layer: string, bypass: { from: string; to: string }, output: string) {
    super(
      "layer",
      `"${layer}" is not a cut of the graph towards "${output}": "${bypass.from}" (computed before it) also flows into "${bypass.to}" ` +
        `(computed after it), bypassing "${layer}"; rescaling it would leave that path untouched. ` +
        `Choose a block output, e.g. from listBlocks().`,
    );
    this.layer = layer;
    this.bypass = bypass;
  }
}

/** The model's graph cannot be executed layer by layer by this module (shared layers, multi-output layers…). */
export class UnsupportedGraphError extends LatentBridgeError {}

export interface GraphLayer {
  name: string;
  /** Keras class name, e.g. "Conv2D", "Add", "InputLayer". */
  className: string;
  /** Position in `LayerGraph.order` (a topological order of the whole model). */
  position: number;
  /** Names of the layers whose outputs this layer takes, in call order (empty for the input layer). */
  inbound: string[];
  /** Output shape without the batch dimension. */
  outputShape: number[];
  layer: KerasLayer;
}

export interface LayerGraph {
  /** Every layer of the model in a topological order (Kahn's algorithm, ties in `model.layers` order). */
  order: GraphLayer[];
  byName: Map<string, GraphLayer>;
  /** The (single) input layer's name. */
  input: string;
}

/**
 * Reads the graph of a functional LayersModel from the layers' inbound nodes.
 * @throws UnsupportedGraphError for several inputs, shared layers, multi-output layers or a cycle.
 */
export function layerGraph(model: TF.LayersModel): LayerGraph {
  if (model.inputs.length !== 1) {
    throw new UnsupportedGraphError("model", `expected a model with one input, got ${model.inputs.length}`);
  }
  const raw = model.layers;
  const byName = new Map<string, GraphLayer>();
  const modelIndex = new Map<string, number>();
  raw.forEach((layer, i) => {
    if (byName.has(layer.name)) throw new UnsupportedGraphError("model", `two layers are named "${layer.name}"`);
    const nodes = layer.inboundNodes;
    if (nodes.length !== 1) {
      throw new UnsupportedGraphError(
        layer.name,
        `expected a layer called once (one inbound node), found ${nodes.length} (shared layers are not supported)`,
      );
    }
    const node = nodes[0];
    if (node.outputTensors.length !== 1) {
      throw new UnsupportedGraphError(layer.name, `expected one output tensor, found ${node.outputTensors.length}`);
    }
    node.inboundLayers.forEach((src, k) => {
      if (node.nodeIndices[k] !== 0 || node.tensorIndices[k] !== 0) {
        throw new UnsupportedGraphError(
          layer.name,
          `input ${k} comes from node ${node.nodeIndices[k]}, tensor ${node.tensorIndices[k]} of "${src.name}"; only single-node, single-output layers are supported`,
        );
      }
    });
    const shape = node.outputTensors[0].shape;
    byName.set(layer.name, {
      name: layer.name,
      className: layer.getClassName(),
      position: -1,
      inbound: node.inboundLayers.map((l) => l.name),
      outputShape: shape.slice(1).map((d) => (d == null ? -1 : d)),
      layer,
    });
    modelIndex.set(layer.name, i);
  });
  for (const g of byName.values()) {
    for (const src of g.inbound) {
      if (!byName.has(src)) throw new UnsupportedGraphError(g.name, `takes the output of "${src}", which is not a layer of the model`);
    }
  }
  const inputs = [...byName.values()].filter((g) => g.inbound.length === 0);
  if (inputs.length !== 1) {
    throw new UnsupportedGraphError("model", `expected exactly one layer without inputs, found ${inputs.map((g) => g.name).join(", ") || "none"}`);
  }

  // Kahn's algorithm; among ready layers, the one listed first in model.layers goes first.
  const pending = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const g of byName.values()) {
    pending.set(g.name, new Set(g.inbound).size);
    for (const src of new Set(g.inbound)) {
      const list = consumers.get(src) ?? [];
      list.push(g.name);
      consumers.set(src, list);
    }
  }
  const ready = [inputs[0].name];
  const order: GraphLayer[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => modelIndex.get(a)! - modelIndex.get(b)!);
    const name = ready.shift()!;
    const g = byName.get(name)!;
    g.position = order.length;
    order.push(g);
    for (const c of consumers.get(name) ?? []) {
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (order.length !== byName.size) {
    throw new UnsupportedGraphError("model", `the graph has a cycle or unreachable layers (${byName.size - order.length} layers not ordered)`);
  }
  return { order, byName, input: inputs[0].name };
}

/** The layer named `name`, or InvalidParameterError listing a few valid names. */
export function graphLayer(graph: LayerGraph, name: string, argument = "layer"): GraphLayer {
  const g = typeof name === "string" ? graph.byName.get(name) : undefined;
  if (g === undefined) {
    const some = graph.order.slice(0, 4).map((l) => l.name).join(", ");
    throw new InvalidParameterError(argument, `no layer named ${JSON.stringify(name)} in the model (${graph.order.length} layers: ${some}, …)`);
  }
  return g;
}

/** `name` and all the layers it depends on. */
export function ancestors(graph: LayerGraph, name: string): Set<string> {
  const out = new Set<string>();
  const stack = [graphLayer(graph, name).name];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    for (const src of graph.byName.get(n)!.inbound) stack.push(src);
  }
  return out;
}

/**
 * Whether `layer` is a cut of the graph towards `output` (see the module comment); when it is not,
 * a bypassing connection (or `null` when `layer` does not feed `output` at all).
 */
export interface CutCheck {
  cut: boolean;
  /** When not a cut: a connection that bypasses `layer` (null when `layer` does not feed `output`). */
  bypass: { from: string; to: string } | null;
}

// A plain interface rather than a discriminated union: tslab type-checks imported files with its own
// (non-strict) settings, under which `!check.cut` does not narrow a union.
export function cutCheck(graph: LayerGraph, layer: string, output: string): CutCheck {
  graphLayer(graph, layer);
  const needed = ancestors(graph, output);
  if (!needed.has(layer)) return { cut: false, bypass: null };
  const before = ancestors(graph, layer);
  for (const g of graph.order) {
    if (!needed.has(g.name) || before.has(g.name)) continue;
    for (const src of g.inbound) {
      if (src !== layer && before.has(src)) return { cut: false, bypass: { from: src, to: g.name } };
    }
  }
  return { cut: true, bypass: null };
}

export function isCut(graph: LayerGraph, layer: string, output: string): boolean {
  return cutCheck(graph, layer, output).cut;
}

/**
 * @throws NotACutError naming `layer` when it is not a cut towards `output`;
 *   InvalidParameterError when it is unknown or does not feed `output`.
 */
export function assertCut(graph: LayerGraph, layer: string, output: string): GraphLayer {
  const g = graphLayer(graph, layer);
  const check = cutCheck(graph, layer, output);
  if (!check.cut) {
    if (check.bypass === null) {
      throw new InvalidParameterError("layer", `"${layer}" does not feed "${output}" (it is not one of its ancestors)`);
    }
    throw new NotACutError(layer, check.bypass, output);
  }
  return g;
}

/** Every cut towards `output`, in topological order (input and output included). */
export function listCuts(graph: LayerGraph, output: string): GraphLayer[] {
  const needed = ancestors(graph, output);
  return graph.order.filter((g) => needed.has(g.name) && isCut(graph, g.name, output));
}

// ---------------------------------------------------------------------------------------------
// Blocks of the known architectures.

export interface BlockInfo {
  /** Layer whose output is the block's output (always a cut). */
  name: string;
  /** Position in the block list (0 = stem … last = final conv before pooling): Fig. 2's x axis. */
  index: number;
  /** Human label, e.g. "stem", "block 3", "head conv". */
  label: string;
  /** Position of the layer in the model's topological order (depth in layers). */
  position: number;
  /** Activation shape without the batch dimension, e.g. [56, 56, 24]. */
  shape: number[];
  /** Values per sample at this layer (product of `shape`). */
  size: number;
}

/** A known architecture's block boundaries: which cut layers count as block outputs, and their labels. */
interface Architecture {
  name: string;
  /** Whether a graph looks like this architecture (by layer names). */
  matches(graph: LayerGraph): boolean;
  isBlock(layer: string): boolean;
  label(layer: string): string;
}

/**
 * MobileNetV2 (Keras names): the stem (`Conv1_relu`), the output of each of the 17 inverted-residual
 * blocks (`expanded_conv_project_BN` for block 0, `block_N_add` when the block has a skip
 * connection, else `block_N_project_BN`) and the final 1×1 conv before pooling (`out_relu`).
 * InceptionV3 (Keras names): the stem (`max_pooling2d_2`) and the 11 Inception blocks `mixed0`–`mixed10`.
 */
const ARCHITECTURES: Architecture[] = [
  {
    name: "MobileNetV2",
    matches: (g) => g.byName.has("Conv1_relu") && g.byName.has("out_relu") && g.byName.has("expanded_conv_project_BN"),
    isBlock: (n) => /^(Conv1_relu|expanded_conv_project_BN|block_\d+_(add|project_BN)|out_relu)$/.test(n),
    label: (n) => {
      if (n === "Conv1_relu") return "stem";
      if (n === "expanded_conv_project_BN") return "block 0";
      if (n === "out_relu") return "head conv";
      const m = /^block_(\d+)_/.exec(n);
      return m ? `block ${m[1]}` : n;
    },
  },
  {
    name: "InceptionV3",
    matches: (g) => g.byName.has("mixed0") && g.byName.has("mixed10") && g.byName.has("max_pooling2d_2"),
    isBlock: (n) => n === "max_pooling2d_2" || /^mixed\d+$/.test(n),
    label: (n) => (n === "max_pooling2d_2" ? "stem" : n),
  },
];

/**
 * The block boundaries of a model, in depth order: the cut layers (towards `output`) that the
 * architecture calls block outputs. MobileNetV2: 19 layers (stem, blocks 0–16, head conv) — a
 * `block_N_project_BN` followed by a residual `block_N_add` is dropped because the cut test fails,
 * not by name. InceptionV3: 12 (stem, mixed0–mixed10). Unknown architectures: every cut except the
 * input and the output.
 * @throws UnsupportedGraphError if no block boundary is a cut, or two cuts map to one block.
 */
export function listBlocks(graph: LayerGraph, output: string): BlockInfo[] {
  const cuts = listCuts(graph, output).filter((g) => g.name !== graph.input && g.name !== output);
  const arch = ARCHITECTURES.find((a) => a.matches(graph));
  const chosen = arch ? cuts.filter((g) => arch.isBlock(g.name)) : cuts;
  if (chosen.length === 0) throw new UnsupportedGraphError("model", `no block boundary is a cut towards "${output}"`);
  const label = (name: string) => (arch ? arch.label(name) : name);
  const labels = new Set(chosen.map((g) => label(g.name)));
  if (labels.size !== chosen.length) {
    throw new UnsupportedGraphError("model", `two cut layers map to the same ${arch?.name ?? ""} block: ${chosen.map((g) => g.name).join(", ")}`);
  }
  return chosen.map((g, index) => toBlock(g, index, label(g.name)));
}

function toBlock(g: GraphLayer, index: number, label: string): BlockInfo {
  return { name: g.name, index, label, position: g.position, shape: [...g.outputShape], size: g.outputShape.reduce((a, b) => a * b, 1) };
}
