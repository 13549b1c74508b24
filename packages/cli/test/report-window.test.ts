import { describe, expect, it } from "vitest";
import { windowStart } from "../src/parse/report-window.js";

describe("windowStart (--oldest)", () => {
  const now = new Date("2026-03-31T12:00:00.000Z");

  it.each([
    ["30d", "2026-03-01T12:00:00.000Z"],
    ["60d", "2026-01-30T12:00:00.000Z"],
    ["90d", "2025-12-31T12:00:00.000Z"],
    // Calendar months: 31 March less six months is 1 October (30 September has no 31st; Date rolls over).
    ["6m", "2025-10-01T12:00:00.000Z"],
    ["1y", "2025-03-31T12:00:00.000Z"],
    ["1Y", "2025-03-31T12:00:00.000Z"],
  ])("%s before %s", (value, start) => {
    expect(windowStart(value, "--oldest", now)).toBe(start);
  });

  it.each(["", "7d", "30", "2y", "30 days"])("refuses %j naming the flag and the choices", (value) => {
    expect(() => windowStart(value, "--oldest", now)).toThrow(
      /^--oldest: .* must be one of 30d, 60d, 90d, 6m, 1y$/,
    );
  });
});
