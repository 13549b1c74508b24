import { DurationError, parseDuration as parseGateDuration } from "@qualys-connector/gate";
import { UsageError } from "../exit-codes.js";

/**
 * The gate's duration parser (`30s`, `5m`, `24h`, minutes such as `60*24`) for a flag: a bad value is a
 * UsageError (exit 3) naming `flag`.
 */
export function parseDuration(value: string, flag: string, bareUnit: "ms" | "s" | "m" = "ms"): number {
  try {
    return parseGateDuration(value, flag, bareUnit);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(error.message);
    throw error;
  }
}
