import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig4-rescale-injection");
