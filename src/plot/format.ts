/**
 * Number formatting with the subset of d3-format specifiers that plotly's hover templates also
 * understand, so one spec (".2f") serves both the cell annotations and `%{z:.2f}` in hovers.
 *
 *   [+][,][.precision][~][type]   type ∈ f (fixed), e (exponent), g (significant digits),
 *                                 s (significant digits with an SI prefix: 1.08k, 14.6M, 3.20m),
 *                                 % (×100, fixed, "%"), d (integer), "" (up to 12 significant digits)
 */
import { InvalidParameterError } from "../errors";

const SPEC = /^(\+)?(,)?(?:\.(\d+))?(~)?([fegsd%])?$/;

/** SI prefixes from 1e-24 (y) to 1e24 (Y), as d3's "s" type. */
const SI = ["y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"];

export interface ParsedFormat {
  sign: boolean;
  grouping: boolean;
  precision: number | undefined;
  trim: boolean;
  type: "f" | "e" | "g" | "s" | "d" | "%" | "";
}

/** Parses a d3-style format spec; throws InvalidParameterError naming `argument` if unsupported. */
export function parseFormat(spec: string, argument = "format"): ParsedFormat {
  const m = typeof spec === "string" ? SPEC.exec(spec) : null;
  if (!m) {
    throw new InvalidParameterError(
      argument,
      `expected a d3-style number format such as ".2f", ".1%", ".3e", ".3g", ".3s", "d" or ",.0f", got ${JSON.stringify(spec)}`,
    );
  }
  const precision = m[3] === undefined ? undefined : Number(m[3]);
  if (precision !== undefined && precision > 20) {
    throw new InvalidParameterError(argument, `precision must be at most 20, got ${precision}`);
  }
  return {
    sign: m[1] === "+",
    grouping: m[2] === ",",
    precision,
    trim: m[4] === "~",
    type: (m[5] ?? "") as ParsedFormat["type"],
  };
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function trimZeros(s: string): string {
  // "1.2300" → "1.23", "1.000e+3" → "1e+3", "2." → "2"
  return s.replace(/(\.\d*?)0+(?=$|e)/, "$1").replace(/\.(?=$|e)/, "");
}

/** Formats one number by a d3-format spec (".3f", ".1%", ",.0f", ".3s"…). NaN → "NaN", ±Infinity → "∞"/"-∞"; -0 prints as 0. */
export function formatBySpec(value: number, spec: string | ParsedFormat = ""): string {
  const f = typeof spec === "string" ? parseFormat(spec) : spec;
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? (f.sign ? "+∞" : "∞") : "-∞";
  let v = value;
  let suffix = "";
  let body: string;
  switch (f.type) {
    case "f":
      body = Math.abs(v).toFixed(f.precision ?? 6);
      break;
    case "%":
      v = v * 100;
      body = Math.abs(v).toFixed(f.precision ?? 6);
      suffix = "%";
      break;
    case "e":
      body = Math.abs(v).toExponential(f.precision ?? 6);
      break;
    case "g":
      body = Math.abs(v).toPrecision(Math.max(1, f.precision ?? 6));
      break;
    case "s": {
      const p = Math.max(1, f.precision ?? 6);
      const rounded = Number(Math.abs(v).toPrecision(p)); // 999.96 at p = 3 is 1.00k, not 1000
      const k = rounded === 0 ? 0 : Math.max(-8, Math.min(8, Math.floor(Math.log10(rounded) / 3)));
      body = (Math.abs(v) / 10 ** (3 * k)).toPrecision(p);
      if (f.trim) body = trimZeros(body);
      suffix = SI[k + 8];
      break;
    }
    case "d":
      body = Math.abs(Math.round(v)).toFixed(0);
      break;
    default:
      body = String(Number(Math.abs(v).toPrecision(f.precision ?? 12)));
  }
  if (f.trim) body = trimZeros(body);
  if (f.grouping && !body.includes("e")) {
    const [i, d] = body.split(".");
    body = group(i) + (d === undefined ? "" : "." + d);
  }
  // Negative only if the printed magnitude is non-zero (no "-0.00").
  const negative = v < 0 && /[1-9]/.test(body.split("e")[0]);
  const signStr = negative ? "-" : f.sign ? "+" : "";
  return signStr + body + suffix;
}
