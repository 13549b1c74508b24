import { describe, expect, it } from "vitest";
import { reportDate, reportDateTime } from "../../src/reports/report-dates.js";

describe("report dates (docs/qualys-api.md 6.1)", () => {
  it("prints date and time in the real DD Mon YYYY HH:MMAM GMT+HHMM shape, in UTC", () => {
    expect(reportDateTime("2020-03-12T16:42:59Z")).toBe("12 Mar 2020 04:42PM GMT+0000");
    expect(reportDateTime(Date.parse("2021-11-05T09:05:00Z"))).toBe("05 Nov 2021 09:05AM GMT+0000");
  });

  it("uses 12 for midnight and noon", () => {
    expect(reportDateTime("2024-01-31T00:07:00Z")).toBe("31 Jan 2024 12:07AM GMT+0000");
    expect(reportDateTime("2024-01-31T12:00:00Z")).toBe("31 Jan 2024 12:00PM GMT+0000");
  });

  it("matches the pattern DefectDojo parses (%d %b %Y %I:%M%p GMT%z)", () => {
    expect(reportDateTime("2026-12-25T23:59:00Z")).toMatch(
      /^\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} (0[1-9]|1[0-2]):[0-5]\d(AM|PM) GMT[+-]\d{4}$/,
    );
  });

  it("prints the bare date of SUMMARY_STAT", () => {
    expect(reportDate("2020-03-15T07:03:00Z")).toBe("15 Mar 2020");
  });

  it("refuses a value that is not a date", () => {
    expect(() => reportDateTime("yesterday")).toThrow(RangeError);
  });
});
