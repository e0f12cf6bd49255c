import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { InvalidParameterError } from "../src/errors";
import {
  csvTable, dataFrameToRows, formatTableNumber, htmlTable, loadDanfo, markdownTable, parseCsv, saveTable, showTable,
  tablesDir, textTable, toDataFrame, type Row,
} from "../src/table";

const tmpRoot = mkdtempSync(join(tmpdir(), "lb-table-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const tricky: Row[] = [
  { name: "plain", value: 1.5, note: "ok" },
  { name: "comma, inside", value: -2, note: 'say "hi"' },
  { name: "multi\nline", value: 1e-9, note: " padded " },
  { name: "crlf\r\nend", value: 123456.789, note: "" },
];

describe("csvTable", () => {
  it("quotes commas, quotes, newlines and edge spaces, and round-trips through a CSV parser", () => {
    const csv = csvTable(tricky);
    expect(csv.split("\n")[0]).toBe("name,value,note");
    expect(csv).toContain('"comma, inside",-2,"say ""hi"""');
    const parsed = parseCsv(csv);
    expect(parsed[0]).toEqual(["name", "value", "note"]);
    expect(parsed.length).toBe(tricky.length + 1);
    tricky.forEach((r, i) => {
      expect(parsed[i + 1]).toEqual([r.name, String(r.value), r.note]);
      expect(Number(parsed[i + 1][1])).toBe(r.value); // full precision
    });
  });

  it("round-trips through danfo's readCSV", async () => {
    const dfd = await loadDanfo();
    const file = join(tmpRoot, "roundtrip.csv");
    const rows: Row[] = [
      { method: "irp, ω=16", score: 0.125 },
      { method: 'ortho "procrustes"', score: 0.5 },
      { method: "ls\nfit", score: 2 },
    ];
    writeFileSync(file, csvTable(rows));
    const df = await dfd.readCSV(file);
    expect(df.columns).toEqual(["method", "score"]);
    expect(dataFrameToRows(df)).toEqual(rows);
  });

  it("fills missing cells and keeps the union of columns in first-seen order", () => {
    expect(csvTable([{ a: 1 }, { b: "x", a: 2 }])).toBe("a,b\n1,\n2,x\n");
    expect(csvTable([])).toBe("\n");
  });

  it("parses CRLF input and rejects unterminated quotes", () => {
    expect(parseCsv('a,b\r\n"x\r\ny",2\r\n')).toEqual([["a", "b"], ["x\r\ny", "2"]]);
    expect(() => parseCsv('a,"b')).toThrow(InvalidParameterError);
  });
});

describe("markdownTable", () => {
  it("has a header, a separator and one line per row, each with the same number of cells", () => {
    const md = markdownTable(tricky, 3);
    const lines = md.trimEnd().split("\n");
    expect(lines.length).toBe(2 + tricky.length);
    // Cells are separated by unescaped pipes.
    const cells = (l: string): string[] => l.slice(1, -1).split(/(?<!\\)\|/);
    for (const l of lines) {
      expect(l.startsWith("| ")).toBe(true);
      expect(l.endsWith(" |")).toBe(true);
      expect(cells(l).length).toBe(3);
    }
    expect(cells(lines[0]).map((s) => s.trim())).toEqual(["name", "value", "note"]);
    expect(cells(lines[1]).map((s) => s.trim())).toEqual([expect.stringMatching(/^-{3,}$/), expect.stringMatching(/^-{2,}:$/), expect.stringMatching(/^-{3,}$/)]);
    // Numbers use `digits`; newlines become <br>; all lines are padded to the same width.
    expect(lines[2]).toContain("1.500");
    expect(lines[4]).toContain("multi<br>line");
    expect(lines[4]).toContain("1.00e-9");
    expect(lines[5]).toContain("123456.789");
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it("escapes pipes inside cells", () => {
    const md = markdownTable([{ "a|b": "x|y", n: 3 }]);
    expect(md.split("\n")[0]).toContain("a\\|b");
    expect(md.split("\n")[2]).toContain("x\\|y");
  });

  it("rejects bad digits and bad rows", () => {
    expect(() => markdownTable([{ a: 1 }], -1)).toThrow(InvalidParameterError);
    expect(() => markdownTable([{ a: [1, 2] as unknown as number }])).toThrow(/row 0, column "a"/);
    expect(() => csvTable("nope" as unknown as Row[])).toThrow(InvalidParameterError);
  });
});

describe("formatTableNumber / textTable / htmlTable", () => {
  it("formats numbers with digits decimals, integers plainly, tiny values exponentially", () => {
    expect(formatTableNumber(0.123456, 4)).toBe("0.1235");
    expect(formatTableNumber(12, 4)).toBe("12");
    expect(formatTableNumber(-0, 2)).toBe("0");
    expect(formatTableNumber(0.00001234, 3)).toBe("1.23e-5");
    expect(formatTableNumber(NaN)).toBe("NaN");
    expect(formatTableNumber(-Infinity)).toBe("-inf");
  });

  it("builds text and HTML tables", () => {
    const text = textTable([{ m: "irp", mse: 0.5 }, { m: "ls", mse: 0.25 }], { title: "T", digits: 2 });
    expect(text).toBe("T\nm     mse\n---  ----\nirp  0.50\nls   0.25\n");
    const html = htmlTable([{ m: "<b>", x: 1 }], { title: "A & B" });
    expect(html).toContain("<caption");
    expect(html).toContain("A &amp; B");
    expect(html).toContain("&lt;b&gt;");
    expect(html).toContain('<td style="text-align:right">1</td>');
  });

  it("showTable prints a text table outside a notebook", () => {
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    showTable([{ a: 1.23456 }], { title: "demo", digits: 2 });
    expect(spy).toHaveBeenCalledWith("demo\n   a\n----\n1.23\n");
  });
});

describe("saveTable", () => {
  it("writes <dir>/<name>.csv and .md atomically, leaving no temporary files", () => {
    const dir = join(tmpRoot, "out", "nested");
    const paths = saveTable(tricky, "table1-mse", { dir, digits: 2 });
    expect(paths).toEqual({ csv: join(dir, "table1-mse.csv"), md: join(dir, "table1-mse.md") });
    expect(readFileSync(paths.csv, "utf8")).toBe(csvTable(tricky));
    expect(readFileSync(paths.md, "utf8")).toBe(markdownTable(tricky, 2));
    // Overwrite in place.
    saveTable([{ a: 1 }], "table1-mse", { dir });
    expect(readFileSync(paths.csv, "utf8")).toBe("a\n1\n");
    expect(readdirSync(dir).sort()).toEqual(["table1-mse.csv", "table1-mse.md"]);
  });

  it("accepts a DataFrame", async () => {
    const df = await toDataFrame([{ a: 1, b: "x" }, { a: 2.5, b: "y" }]);
    const dir = join(tmpRoot, "df");
    const { csv } = saveTable(df, "frame", { dir });
    expect(readFileSync(csv, "utf8")).toBe("a,b\n1,x\n2.5,y\n");
  });

  it("validates the name", () => {
    const dir = join(tmpRoot, "bad");
    for (const name of ["../escape", "a/b", "a\\b", "", ".hidden", "sp ace"]) {
      expect(() => saveTable([{ a: 1 }], name, { dir })).toThrow(InvalidParameterError);
    }
    try {
      saveTable([{ a: 1 }], "x/y", { dir });
    } catch (e) {
      expect((e as InvalidParameterError).argument).toBe("name");
    }
  });

  it("defaults to the figures folder (LATENT_BRIDGE_FIGURES_DIR)", () => {
    const dir = join(tmpRoot, "figs");
    vi.stubEnv("LATENT_BRIDGE_FIGURES_DIR", dir);
    expect(tablesDir()).toBe(dir);
    expect(saveTable([{ a: 1 }], "t").csv).toBe(join(dir, "t.csv"));
  });
});

describe("toDataFrame", () => {
  it("groupby().mean() gives the hand-computed means", async () => {
    const rows: Row[] = [
      { method: "irp", seed: 0, mse: 0.1, cos: 0.9 },
      { method: "irp", seed: 1, mse: 0.3, cos: 0.8 },
      { method: "ls", seed: 0, mse: 0.5, cos: 0.6 },
      { method: "ls", seed: 1, mse: 0.7, cos: 0.5 },
      { method: "ls", seed: 2, mse: 0.9, cos: 0.1 },
    ];
    const df = await toDataFrame(rows);
    expect(df.columns).toEqual(["method", "seed", "mse", "cos"]);
    expect(df.shape).toEqual([5, 4]);
    const means = dataFrameToRows(df.loc({ columns: ["method", "mse", "cos"] }).groupby(["method"]).mean());
    const byMethod = new Map(means.map((r) => [r.method, r]));
    expect(byMethod.size).toBe(2);
    expect(byMethod.get("irp")!.mse_mean as number).toBeCloseTo(0.2, 12);
    expect(byMethod.get("irp")!.cos_mean as number).toBeCloseTo(0.85, 12);
    expect(byMethod.get("ls")!.mse_mean as number).toBeCloseTo(0.7, 12);
    expect(byMethod.get("ls")!.cos_mean as number).toBeCloseTo(0.4, 12);
  });

  it("handles missing values and empty input; the engine stays on wasm", async () => {
    const df = await toDataFrame([{ a: 1, b: "x" }, { a: 2 }]);
    expect(dataFrameToRows(df)).toEqual([{ a: 1, b: "x" }, { a: 2, b: "" }]);
    const empty = await toDataFrame([]);
    expect(empty.shape).toEqual([0, 0]);
    const dfd = await loadDanfo();
    expect(dfd.tensorflow.getBackend()).toBe("wasm");
  });
});
