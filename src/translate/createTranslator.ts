import { InvalidParameterError } from "../errors";
import { AbsoluteTranslator } from "./absolute";
import { InverseRelativeProjection, type IrpOptions } from "./irp";
import { LeastSquaresTranslator } from "./leastSquares";
import { ProcrustesTranslator } from "./procrustes";
import { TRANSLATION_METHODS, type TranslationMethod, type Translator } from "./translator";

export type TranslatorOptions = IrpOptions;

/** A translator by name: "irp" | "procrustes" | "lstsq" | "affine" | "absolute". */
export function createTranslator(method: TranslationMethod | string, options: TranslatorOptions = {}): Translator {
  switch (method) {
    case "irp":
      return new InverseRelativeProjection(options);
    case "procrustes":
      return new ProcrustesTranslator();
    case "lstsq":
      return new LeastSquaresTranslator({ rcond: options.rcond });
    case "affine":
      return new LeastSquaresTranslator({ rcond: options.rcond, affine: true });
    case "absolute":
      return new AbsoluteTranslator();
    default:
      throw new InvalidParameterError("method", `unknown method "${method}"; expected one of ${TRANSLATION_METHODS.join(", ")}`);
  }
}
