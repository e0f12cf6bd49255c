/** Result tables: pure formatting, danfojs DataFrames, notebook display and atomic saving. */
export {
  csvTable, csvField, parseCsv, markdownTable, textTable, htmlTable, formatTableNumber, tableColumns, numericColumns,
  validateRows, DEFAULT_DIGITS, type Cell, type Row,
} from "./format";
export { loadDanfo, toDataFrame, dataFrameToRows, isDataFrame, type DataFrame, type Danfo } from "./danfo";
export {
  showTable, saveTable, tablesDir, tableRows, validateTableName,
  type TableInput, type ShowTableOptions, type SaveTableOptions, type SavedTable,
} from "./table";
