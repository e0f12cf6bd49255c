/**
 * The layering of src/, enforced (`npm run lint:layers`, part of `npm test`). ARCHITECTURE.md explains it.
 *
 * Each top-level module of src/ (a folder, or a file such as validate.ts) has a rank; a module may
 * import modules of a LOWER rank only (and anything inside itself). So no folder cycle and no upward
 * import can exist: linalg → metrics / relative / anchors → translate → heads → encoders / scale →
 * eval → experiments, with the utilities (config, errors, io, engine, data, plot, table) below the
 * layers that use them.
 */
const RANKS = {
  errors: 0,
  config: 0,
  // Finding installed npm packages (optional ones: koffi for the BLAS kernels, Plotly, TensorFlow.js…).
  resolvePackage: 0.5,
  linalg: 1,
  validate: 2,
  io: 2,
  metrics: 3,
  relative: 3,
  engine: 3,
  anchors: 4,
  data: 4,
  plot: 4,
  table: 4,
  translate: 5,
  heads: 6,
  encoders: 7,
  scale: 8,
  eval: 8,
  experiments: 9,
  catalogue: 9,
  cli: 9,
  index: 10,
};

const path = (name) => `^src/${name}(/|\\.ts$)`;
const names = Object.keys(RANKS);

const layerRules = names.map((name) => {
  const notBelow = names.filter((other) => other !== name && RANKS[other] >= RANKS[name]);
  return {
    name: `layer-${name}`,
    comment: `src/${name} (rank ${RANKS[name]}) may import only lower layers; see .dependency-cruiser.cjs and ARCHITECTURE.md`,
    severity: "error",
    from: { path: path(name) },
    to: { path: `^src/(${notBelow.join("|")})(/|\\.ts$)` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "no-unranked-module",
      comment: "every top-level module of src/ needs a rank in .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: `^src/(${names.join("|")})(/|\\.ts$)` },
    },
    {
      name: "no-circular",
      comment: "no import cycle between files either",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/linalg/wasm/kernelsBinary\\.ts$" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
