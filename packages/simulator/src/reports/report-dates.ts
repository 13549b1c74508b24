/**
 * Dates as WAS report files print them. Real exports use the subscription's time zone
 * (`01 Apr 2020 01:16PM GMT-0400`, docs/qualys-api.md 6.1); the simulator always reports in UTC, written
 * `GMT+0000` so the `%d %b %Y %I:%M%p GMT%z` pattern of DefectDojo's parser and our own model package both
 * accept it.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

function toDate(value: string | number): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `12 Mar 2020` (docs/qualys-api.md 6.1, SUMMARY_STAT/DATE). */
export function reportDate(value: string | number): string {
  const d = toDate(value);
  return `${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** `12 Mar 2020 04:42PM GMT+0000`: 12-hour clock, no space before AM/PM (docs/qualys-api.md 6.1). */
export function reportDateTime(value: string | number): string {
  const d = toDate(value);
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const meridiem = hours < 12 ? "AM" : "PM";
  return `${reportDate(value)} ${pad2(hour12)}:${pad2(d.getUTCMinutes())}${meridiem} GMT+0000`;
}
