/** One date format for every report, whatever form Qualys gave the date in. */

/**
 * A Qualys date as ISO 8601 UTC to the second (`2026-12-07T10:00:00Z`), the one form every report shows. WAS
 * and the VM scan list give ISO 8601 already; the VM `json_extended` summary gives `12/07/2026 10:00:00`
 * (MM/DD/YYYY, docs/qualys-api.md 4.3), read as UTC like every VM API v2 date. Undefined for anything else.
 */
export function toIsoUtc(text: string | undefined): string | undefined {
  const value = text?.trim() ?? "";
  const us = /^(\d{2})\/(\d{2})\/(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  if (us) {
    const [month, day, year, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((n) => Number(us[n] ?? 0));
    const iso = `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
    // Date.parse would roll 13/45 over into another date; the round trip keeps only real dates and times.
    const ms = Date.parse(iso);
    return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== iso.slice(0, 19) ? undefined : iso;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const pad = (n: number | undefined) => String(n ?? 0).padStart(2, "0");
