import { describe, expect, it } from "vitest";
import { fitSummary, STEP_SUMMARY_LIMIT_BYTES } from "../src/job-summary.js";

const HINT = "report.html in the `report-dir` output";

describe("fitSummary: the job summary within GitHub's 1 MiB per step", () => {
  it("keeps a summary that fits whole, with the pointer to the full report", () => {
    const text = fitSummary("## PASSED\n\nrow\n", HINT);
    expect(text).toBe(`## PASSED\n\nrow\n\n_Full report: ${HINT}._\n`);
  });

  it("cuts a larger one at a line break, under the limit, with a note saying so and where the rest is", () => {
    const row = `| 150001 | ${"é".repeat(97)} |\n`;
    const markdown = `## FAILED\n\n${row.repeat(Math.ceil((2 * STEP_SUMMARY_LIMIT_BYTES) / Buffer.byteLength(row)))}`;
    const text = fitSummary(markdown, HINT);
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT_BYTES);
    expect(Buffer.byteLength(text, "utf8")).toBeGreaterThan(
      STEP_SUMMARY_LIMIT_BYTES - Buffer.byteLength(row),
    );
    const [kept, note] = text.split("\n\n> [!WARNING]\n");
    // Whole rows only: no character or row cut in half.
    expect(kept?.startsWith("## FAILED\n\n")).toBe(true);
    for (const line of (kept ?? "").split("\n").slice(2)) expect(line).toBe(row.trimEnd());
    expect(note).toContain("cut to fit GitHub's job summary limit of 1 MiB");
    expect(note).toContain(HINT);
  });

  it("honours a smaller limit (the room other steps leave)", () => {
    const text = fitSummary("a\n".repeat(1000), HINT, 500);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(500);
    expect(text).toContain("cut to fit");
  });
});
