import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/parse/duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["24h", 86_400_000],
    ["5", 300_000],
    ["60*24", 86_400_000],
    [" 2 * 60 ", 7_200_000],
    ["1.5h", 5_400_000],
  ])("%s in minutes by default -> %d ms", (text, ms) => {
    expect(parseDuration(text, "--timeout", "m")).toBe(ms);
  });

  it.each(["", "five", "5x", "-1m", "60*", "*24", "1e3"])("rejects %j naming the flag", (text) => {
    expect(() => parseDuration(text, "--timeout", "m")).toThrow(/^--timeout: /);
  });
});
