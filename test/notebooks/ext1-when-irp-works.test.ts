import { quickNotebookTest } from "../notebookHarness";

quickNotebookTest("ext1-when-irp-works");
