import { UsageError } from "../exit-codes.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration: `250ms`, `30s`, `5m`, `24h`, `1d`, a bare number in `bareUnit`, or a product of whole
 * numbers in `bareUnit` such as `60*24` (the minute expressions of Qualys' Azure DevOps and Jenkins
 * connectors). `flag` names the input in the error message.
 */
export function parseDuration(value: string, flag: string, bareUnit: "ms" | "s" | "m" = "ms"): number {
  const text = value.trim();
  if (/^\d+(\s*\*\s*\d+)+$/.test(text)) {
    const product = text.split("*").reduce((total, factor) => total * Number(factor.trim()), 1);
    const ms = product * (UNIT_MS[bareUnit] ?? 1);
    if (!Number.isSafeInteger(ms)) throw new UsageError(`${flag}: "${value}" is too large`);
    return ms;
  }
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text);
  if (!match?.[1]) {
    throw new UsageError(
      `${flag}: "${value}" is not a duration; use a number with a unit (500ms, 30s, 5m, 24h) or minutes such as 60*24`,
    );
  }
  const unit = match[2] ?? bareUnit;
  const ms = Number(match[1]) * (UNIT_MS[unit] ?? 1);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag}: "${value}" is too large`);
  return Math.round(ms);
}
