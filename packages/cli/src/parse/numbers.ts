import { UsageError } from "../exit-codes.js";

/**
 * A whole number within bounds; `flag` names the input in the error message. `invalid`, when given, words the
 * error for both a value that is not a whole number and one out of range (settings say "must be a whole number
 * from MIN to MAX").
 */
export function parseInteger(
  value: string,
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  invalid?: (value: string) => string,
): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text))
    throw new UsageError(invalid?.(value) ?? `${flag}: "${value}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) {
    throw new UsageError(
      invalid?.(value) ??
        `${flag}: ${n} is out of range; expected ${min}${max === Number.MAX_SAFE_INTEGER ? " or more" : ` to ${max}`}`,
    );
  }
  return n;
}

/** A decimal number within bounds. */
export function parseNumber(value: string, flag: string, min: number, max: number): number {
  const text = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new UsageError(`${flag}: "${value}" is not a number`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is out of range; expected ${min} to ${max}`);
  return n;
}
