import { UsageError } from "../exit-codes.js";

/** One of `allowed`, matched without regard to case; `flag` names the input in the error message. */
export function oneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  const text = value.trim();
  const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!match) throw new UsageError(`${flag}: "${value}" must be one of ${allowed.join(", ")}`);
  return match;
}
