import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("fig7-cross-modal-stitching");
