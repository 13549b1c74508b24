/**
 * Report dates to ISO UTC. WAS report files print `01 Apr 2020 01:16PM GMT-0400`: day, month name, year, a
 * 12-hour clock with AM/PM and no space, then the subscription's offset (docs/qualys-api.md 6.1). Some print a
 * bare `GMT`, `UTC` or `GMT+0000` (docs/qualys-api.md 6.2); the offset may carry a colon.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

const REPORT_DATE =
  /^(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])(?: ?(?:GMT|UTC|Z)(?:([+-])(\d{2}):?(\d{2}))?)?$/;

/** The ISO UTC form of a report date, or undefined when the text is not one. */
export function reportDateToIso(text: string): string | undefined {
  const m = REPORT_DATE.exec(text.trim());
  if (!m) return undefined;
  const [, day, monthName, year, hour, minute, second, meridiem, sign, offsetHours, offsetMinutes] = m;
  const month = MONTHS[(monthName ?? "").toLowerCase()];
  const h12 = Number(hour);
  if (month === undefined || h12 < 1 || h12 > 12 || Number(minute) > 59) return undefined;
  const h24 = (h12 % 12) + ((meridiem ?? "").toUpperCase() === "PM" ? 12 : 0);
  const offset =
    sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const local = Date.UTC(Number(year), month, Number(day), h24, Number(minute), Number(second ?? 0));
  const date = new Date(local - offset * 60_000);
  // Date.UTC rolls 31 Feb over into March; a day the month does not have is not a date.
  if (Number.isNaN(date.getTime()) || new Date(local).getUTCDate() !== Number(day)) return undefined;
  return date.toISOString();
}
