/**
 * The notebooks as files in git: committed without outputs, in nbformat's canonical format, with the
 * language_info the kernel reports (so that opening one in Jupyter does not mark it modified), and
 * kept output-free by the git clean filter whatever Jupyter saves into them.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..");
const STRIP = join(REPO, "scripts", "strip_notebook_outputs.py");
const NOTEBOOKS = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
const hasNbformat = spawnSync("/usr/bin/python3", ["-c", "import nbformat, jupyter_client"]).status === 0;
const hasGit = spawnSync("git", ["--version"]).status === 0;

function strip(text: string) {
  const r = spawnSync("/usr/bin/python3", [STRIP], { input: text, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Cell = { cell_type: string; outputs?: unknown[]; execution_count?: number | null; metadata: Record<string, unknown>; source: string | string[] };
type Notebook = { cells: Cell[]; metadata: Record<string, unknown> };

/** What Jupyter writes after a run: outputs (plotly's bundle among them), counts, per-run metadata. */
function executed(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  copy.cells.forEach((c, k) => {
    if (c.cell_type !== "code") return;
    c.execution_count = k + 1;
    c.outputs = [
      { output_type: "stream", name: "stdout", text: ["quick mode\n"] },
      { output_type: "display_data", metadata: {}, data: { "text/html": ["<script>/* plotly.js */", "x".repeat(100_000), "</script>"], "text/plain": ["Figure"] } },
    ];
    c.metadata.execution = { "iopub.status.busy": "2026-12-01T00:00:00Z" };
    c.metadata.scrolled = true;
    c.metadata.trusted = true;
  });
  return copy;
}

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe.skipIf(!hasNbformat)("notebooks in notebooks/", () => {
  it.each(NOTEBOOKS)("%s is committed without outputs, in the canonical format the strip filter writes", (name) => {
    const text = readFileSync(join(REPO, "notebooks", name), "utf8");
    const nb = JSON.parse(text) as Notebook;
    for (const c of nb.cells.filter((c) => c.cell_type === "code")) {
      expect(c.outputs).toEqual([]);
      expect(c.execution_count).toBeNull();
    }
    const r = strip(text);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(text); // byte for byte: stripping a clean notebook changes nothing
  });

  it("an executed copy strips back to exactly the committed file (outputs, counts and run metadata gone)", () => {
    const text = readFileSync(join(REPO, "notebooks", "00-quickstart.ipynb"), "utf8");
    const dirty = JSON.stringify(executed(JSON.parse(text) as Notebook), null, 2);
    expect(dirty.length).toBeGreaterThan(text.length + 100_000);
    const r = strip(dirty);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(text);
  });

  it("refuses input that is not a notebook (exit 1, a message, nothing on stdout)", () => {
    const r = strip('{"cells": [');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("strip_notebook_outputs: the input is not a Jupyter notebook");
  });

  it("every notebook carries the language_info the tslab kernel reports, so opening it does not mark it modified", () => {
    // Jupyter Notebook 6 replaces metadata.language_info with the kernel's on start and marks the
    // notebook dirty if they differ (notebook.js, 'kernel_ready.Kernel'); autosave would then write it.
    const r = spawnSync("/usr/bin/python3", ["-c", [
      "import json, jupyter_client",
      "km, kc = jupyter_client.manager.start_new_kernel(kernel_name='latent-bridge', startup_timeout=120)",
      "try:",
      "    kc.kernel_info()",
      "    reply = kc.get_shell_msg(timeout=60)",
      "    print(json.dumps(reply['content']['language_info']))",
      "finally:",
      "    kc.stop_channels(); km.shutdown_kernel(now=True)",
    ].join("\n")], { cwd: REPO, encoding: "utf8", timeout: 180_000, env: { ...process.env, JUPYTER_PATH: join(REPO, "jupyter") } });
    expect(r.status, r.stderr).toBe(0);
    const reported = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(reported.name).toBe("typescript");
    for (const name of NOTEBOOKS) {
      const nb = JSON.parse(readFileSync(join(REPO, "notebooks", name), "utf8")) as Notebook;
      expect(nb.metadata.language_info, name).toEqual(reported);
    }
  }, 200_000);
});

describe("git ignores Jupyter's side files", () => {
  it.skipIf(!hasGit)(".ipynb_checkpoints/ anywhere, build/ (executed copies, interactive and quick-mode figures)", () => {
    for (const p of ["notebooks/.ipynb_checkpoints/00-quickstart-checkpoint.ipynb", ".ipynb_checkpoints/x.ipynb", "build/figures/fig1-relative-projection.png", "build/notebooks/00-quickstart.ipynb"]) {
      expect(spawnSync("git", ["check-ignore", "-q", p], { cwd: REPO }).status, p).toBe(0);
    }
    expect(spawnSync("git", ["check-ignore", "-q", "figures/fig1-relative-projection.png"], { cwd: REPO }).status).toBe(1);
  });
});

describe.skipIf(!hasNbformat || !hasGit)("the git clean filter (scripts/install-git-filters.sh, as setup runs it)", () => {
  function repoWithNotebook() {
    const dir = mkdtempSync(join(tmpdir(), "lb-git-filter-"));
    mkdirSync(join(dir, "scripts"));
    mkdirSync(join(dir, "notebooks"));
    for (const f of ["scripts/strip_notebook_outputs.py", "scripts/install-git-filters.sh", ".gitattributes", "notebooks/00-quickstart.ipynb"]) {
      copyFileSync(join(REPO, f), join(dir, f));
    }
    expect(git(dir, "init", "-q").status).toBe(0);
    const install = spawnSync("bash", ["scripts/install-git-filters.sh"], { cwd: dir, encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    expect(git(dir, "config", "filter.notebook-outputs.clean").stdout.trim()).toBe("/usr/bin/python3 scripts/strip_notebook_outputs.py");
    expect(git(dir, "add", ".").status).toBe(0);
    expect(git(dir, "commit", "-qm", "clean").status).toBe(0);
    return dir;
  }
  const path = "notebooks/00-quickstart.ipynb";

  it("a notebook Jupyter saved with outputs has no diff and adds nothing; a real edit commits without the outputs", () => {
    const dir = repoWithNotebook();
    const committed = readFileSync(join(dir, path), "utf8");
    const nb = JSON.parse(committed) as Notebook;
    writeFileSync(join(dir, path), JSON.stringify(executed(nb), null, 1));
    expect(git(dir, "diff").stdout).toBe("");
    // (git status may still list it: it sees the file's size change before filtering; adding it stages nothing)
    expect(git(dir, "add", "-A").status).toBe(0);
    expect(git(dir, "status", "--porcelain").stdout).toBe("");
    expect(git(dir, "diff", "--cached").stdout).toBe("");
    // A real edit plus outputs: only the edit reaches git.
    const edited = executed(nb);
    const code = edited.cells.find((c) => c.cell_type === "code")!;
    code.source = ["console.log(\"edited\");"];
    writeFileSync(join(dir, path), JSON.stringify(edited, null, 1));
    expect(git(dir, "status", "--porcelain").stdout.trim()).toBe(`M ${path}`);
    const diff = git(dir, "diff").stdout;
    expect(diff).toContain('+    "console.log(\\"edited\\");"');
    expect(diff).not.toContain("plotly.js");
    expect(diff).not.toContain("execution_count\": 2");
    expect(git(dir, "commit", "-qam", "edit").status).toBe(0);
    const stored = JSON.parse(git(dir, "show", `HEAD:${path}`).stdout) as Notebook;
    for (const c of stored.cells.filter((c) => c.cell_type === "code")) {
      expect(c.outputs).toEqual([]);
      expect(c.execution_count).toBeNull();
      expect(c.metadata).toEqual({});
    }
    expect(stored.cells.find((c) => c.cell_type === "code")!.source).toEqual(["console.log(\"edited\");"]);
  });

  it("checkout, branch switches and merges pass notebooks through (a required filter needs its smudge half)", () => {
    const dir = repoWithNotebook();
    expect(git(dir, "config", "filter.notebook-outputs.smudge").stdout.trim()).toBe("cat");
    const committed = readFileSync(join(dir, path), "utf8");
    expect(git(dir, "checkout", "-q", "-b", "side").status).toBe(0);
    const nb = JSON.parse(committed) as Notebook;
    nb.cells.find((c) => c.cell_type === "code")!.source = ["console.log(\"side\");"];
    writeFileSync(join(dir, path), JSON.stringify(nb, null, 1) + "\n");
    expect(git(dir, "commit", "-qam", "side edit").status).toBe(0);
    const back = git(dir, "checkout", "-q", "-");
    expect(back.status, back.stderr).toBe(0);
    expect(readFileSync(join(dir, path), "utf8")).toBe(committed);
    rmSync(join(dir, path));
    const restore = git(dir, "checkout", "--", path);
    expect(restore.status, restore.stderr).toBe(0);
    expect(readFileSync(join(dir, path), "utf8")).toBe(committed);
    const merge = git(dir, "merge", "-q", "--no-ff", "-m", "merge side", "side");
    expect(merge.status, merge.stderr).toBe(0);
    expect(readFileSync(join(dir, path), "utf8")).toContain("console.log(\\\"side\\\");");
  });

  it("refuses to add a notebook it cannot read rather than commit it unfiltered", () => {
    const dir = repoWithNotebook();
    writeFileSync(join(dir, path), '{"cells": [ <<<<<<< conflict');
    const r = git(dir, "add", path);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("strip_notebook_outputs: the input is not a Jupyter notebook");
    expect(existsSync(join(dir, path))).toBe(true);
  });
});
