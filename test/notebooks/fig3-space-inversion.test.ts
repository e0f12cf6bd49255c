import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig3-space-inversion");
