import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig2-layerwise-rescaling");
