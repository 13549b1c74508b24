/**
 * Durations as CI users write them: the poll interval and timeout of the scan gates, shared by the CLI's flags and
 * the pipeline task's inputs.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration that cannot be read; the message starts with the name of the input that held it. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DurationError";
  }
}

/**
 * Parse a duration: `250ms`, `30s`, `5m`, `24h`, `1d`, a bare number in `bareUnit`, or a product of whole
 * numbers in `bareUnit` such as `60*24` (the minute expressions of Qualys' Azure DevOps and Jenkins
 * connectors). `input` names the input in the error message (a flag, or a task input).
 */
export function parseDuration(value: string, input: string, bareUnit: "ms" | "s" | "m" = "ms"): number {
  const text = value.trim();
  if (/^\d+(\s*\*\s*\d+)+$/.test(text)) {
    const product = text.split("*").reduce((total, factor) => total * Number(factor.trim()), 1);
    const ms = product * (UNIT_MS[bareUnit] ?? 1);
    if (!Number.isSafeInteger(ms)) throw new DurationError(`${input}: "${value}" is too large`);
    return ms;
  }
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text);
  if (!match?.[1]) {
    throw new DurationError(
      `${input}: "${value}" is not a duration; use a number with a unit (500ms, 30s, 5m, 24h) or minutes such as 60*24`,
    );
  }
  const unit = match[2] ?? bareUnit;
  const ms = Number(match[1]) * (UNIT_MS[unit] ?? 1);
  if (!Number.isFinite(ms)) throw new DurationError(`${input}: "${value}" is too large`);
  return Math.round(ms);
}
