import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig6-text-sensitivity");
