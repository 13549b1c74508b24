import { oneOf } from "./choice.js";

/** The windows a report pull offers (as Ivanti's Qualys WAS connector does): days, or calendar months and a year. */
export const REPORT_WINDOWS = ["30d", "60d", "90d", "6m", "1y"] as const;
export type ReportWindow = (typeof REPORT_WINDOWS)[number];

/** The ISO time `window` before `now`: days are 24 hours, months and the year are calendar ones (UTC). */
export function windowStart(value: string, flag: string, now: Date): string {
  const window = oneOf(value, flag, REPORT_WINDOWS);
  const start = new Date(now.getTime());
  if (window.endsWith("d")) start.setUTCDate(start.getUTCDate() - Number(window.slice(0, -1)));
  else if (window === "6m") start.setUTCMonth(start.getUTCMonth() - 6);
  else start.setUTCFullYear(start.getUTCFullYear() - 1);
  return start.toISOString();
}
