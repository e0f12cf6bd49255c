import { InvalidParameterError } from "../errors";
import { checkOptions } from "../validate";
import { AbsoluteTranslator } from "./absolute";
import { IRP_OPTION_KEYS, InverseRelativeProjection, type IrpOptions } from "./irp";
import { LeastSquaresTranslator } from "./leastSquares";
import { ProcrustesTranslator, type ProcrustesOptions } from "./procrustes";
import { TRANSLATION_METHODS, type TranslationMethod, type Translator } from "./translator";

/**
 * The options of every method in one object, so one set can be passed for all methods: each
 * method takes the ones that apply to it (IRP: omega, delta, seed, prune, rcond and the variants;
 * lstsq/affine: rcond; procrustes: variant; all but absolute: memo) and ignores the others. A key
 * no method knows is an error.
 */
export type TranslatorOptions = IrpOptions & ProcrustesOptions;

const TRANSLATOR_OPTION_KEYS = [...IRP_OPTION_KEYS, "memo", "variant"] as const;

/** A translator by name: "irp" | "procrustes" | "lstsq" | "affine" | "absolute". */
export function createTranslator(method: TranslationMethod | string, options?: TranslatorOptions): Translator {
  const o = checkOptions(options, TRANSLATOR_OPTION_KEYS);
  switch (method) {
    case "irp": {
      const { variant: _variant, ...irp } = o;
      return new InverseRelativeProjection(irp);
    }
    case "procrustes":
      return new ProcrustesTranslator({
        ...(o.variant === undefined ? {} : { variant: o.variant }), ...(o.memo === undefined ? {} : { memo: o.memo }),
      });
    case "lstsq":
      return new LeastSquaresTranslator({ rcond: o.rcond, memo: o.memo });
    case "affine":
      return new LeastSquaresTranslator({ rcond: o.rcond, affine: true, memo: o.memo });
    case "absolute":
      return new AbsoluteTranslator();
    default:
      throw new InvalidParameterError("method", `unknown method "${method}"; expected one of ${TRANSLATION_METHODS.join(", ")}`);
  }
}
