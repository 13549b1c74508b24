import { UsageError } from "../exit-codes.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration: `250ms`, `30s`, `5m`, `24h`, `1d`, or a bare number in `bareUnit`.
 * `flag` names the input in the error message.
 */
export function parseDuration(value: string, flag: string, bareUnit: "ms" | "s" | "m" = "ms"): number {
  const text = value.trim();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text);
  if (!match?.[1]) {
    throw new UsageError(
      `${flag}: "${value}" is not a duration; use a number with a unit, e.g. 500ms, 30s, 5m, 24h`,
    );
  }
  const unit = match[2] ?? bareUnit;
  const ms = Number(match[1]) * (UNIT_MS[unit] ?? 1);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag}: "${value}" is too large`);
  return Math.round(ms);
}
