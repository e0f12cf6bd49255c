import { expectTransformerEncoderTable, quickNotebookTest } from "../notebookHarness";

// Table 2 also writes the per-transformer table: one row per trained transformer, checked against its stitching rows.
quickNotebookTest("table2-zero-shot-stitching", expectTransformerEncoderTable);
