/**
 * latent-bridge/plot — figures for the paper's reproductions.
 *
 * Pure builders return plain plotly figure specs ({ data, layout }); `show` displays them in tslab
 * notebooks (offline, with a PNG fallback) and `saveFigure` writes PNG/SVG through headless Chromium.
 *
 *   import { heatmap, show, saveFigure } from "./src/plot";
 *   const fig = heatmap({ z, x: omegas, y: deltas, xTitle: "ω", yTitle: "δ", colorbarTitle: "accuracy" });
 *   await show(fig, { name: "fig2-accuracy" });
 */
export type {
  Annotation, Axis, ColorBar, ColorscaleStops, Datum, DisplayLayout, ErrorBar, Figure, Font, Layout, Margin, PlotlyTrace, Shape, Title,
} from "./types";
export { heatmap, heatmapParts, finiteRange, type HeatmapSpec, type HeatmapParts } from "./heatmap";
export { heatmapGrid, gridDomains, type HeatmapGridOptions, type PanelDomain } from "./heatmapGrid";
export { cellAnnotations, defaultCellFontSize, type CellAnnotationOptions } from "./cellAnnotations";
export { linePlot, type LinePlotOptions, type LineSeries, type VerticalLine } from "./linePlot";
export { scatterPanels, type ScatterPanel, type ScatterPanelsOptions, type ScatterSeries } from "./scatterPanels";
export {
  histogram, histogramCounts, binEdges, finiteExtent, type HistogramCounts, type HistogramOptions, type HistogramSeries,
} from "./histogram";
export { barChart, type BarChartOptions, type BarSeries } from "./barChart";
export { matrixWithMarginals, marginalMeans, type MarginalMeans, type MatrixWithMarginalsOptions } from "./matrixWithMarginals";
export { formatBySpec, parseFormat, type ParsedFormat } from "./format";
export {
  COLORSCALES, SERIES_COLORS, colorAt, contrastingText, parseColor, relativeLuminance, resolveColorscale, seriesColor,
  type ColorscaleInput, type ColorscaleName, type Rgb,
} from "./colors";
export { MissingDependencyError } from "../errors";
export { figuresDir, isQuickMode, repoRoot } from "../config";
export { locatePlotlyBundle, readPlotlyBundle, plotlyVersion, PLOTLY_BUNDLE } from "./bundle";
export { resolveInstalled, type ResolveFrom } from "../resolvePackage";
export { writeFileAtomic } from "../io/atomicWrite";
export { figureToJson, plainFigure } from "./serialize";
export {
  saveFigure, renderFigure, closeExporter, exporterStats, chromiumPath, checkChromium, CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH,
  IMAGE_FORMATS, type ExporterStats, type ImageFormat, type RenderOptions, type SaveFigureOptions, type SavedFiles,
} from "./export";
export { show, initNotebookPlotting, isTslabKernel, slugify, type ShowOptions } from "./show";
export { figureHtml, bundleHtml, figureTitle, type FigureHtmlOptions } from "./notebookHtml";
