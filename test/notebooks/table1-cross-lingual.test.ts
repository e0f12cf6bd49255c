import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("table1-cross-lingual");
