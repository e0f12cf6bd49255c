/**
 * plotly's prebuilt browser bundle (plotly.js-dist-min/plotly.min.js, ~4.8 MB), read from
 * node_modules: the exporter loads it into headless Chromium and `show` embeds it in notebooks,
 * so no CDN is ever needed.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MissingDependencyError } from "../errors";
import { resolveInstalled, type ResolveFrom } from "../resolvePackage";

export const PLOTLY_PACKAGE = "plotly.js-dist-min";
export const PLOTLY_BUNDLE = `${PLOTLY_PACKAGE}/plotly.min.js`;

/** Absolute path of plotly.min.js; MissingDependencyError if the npm package is not installed. */
export function locatePlotlyBundle(from: ResolveFrom = {}): string {
  const r = resolveInstalled(PLOTLY_BUNDLE, from);
  if (r.path) return r.path;
  throw new MissingDependencyError(
    PLOTLY_PACKAGE,
    `the npm package ${PLOTLY_PACKAGE} is not installed (looked from: ${r.tried.join(", ")}); run \`npm ci\` (or \`bash scripts/setup.sh\`) in the repository`,
    `npm install ${PLOTLY_PACKAGE}`,
  );
}

let cached: { path: string; source: string } | undefined;

/** The bundle's source text (read once per process). */
export function readPlotlyBundle(): string {
  if (!cached) {
    const path = locatePlotlyBundle();
    cached = { path, source: readFileSync(path, "utf8") };
  }
  return cached.source;
}

/** The installed plotly.js version, e.g. "3.1.2". */
export function plotlyVersion(): string {
  const pkg = join(dirname(locatePlotlyBundle()), "package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}
