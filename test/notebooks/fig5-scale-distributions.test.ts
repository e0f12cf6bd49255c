import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig5-scale-distributions");
