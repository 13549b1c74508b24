import { describe, expect, it } from "vitest";
import { guidedGroups } from "../src/sync.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);

describe("guidedGroups", () => {
  it("covers every web app once, in order, with sizes that never grow", () => {
    for (const [count, concurrency, minSize] of [
      [50, 2, 1],
      [40, 2, 1],
      [1000, 4, 1],
      [7, 3, 2],
      [1, 2, 1],
    ] as const) {
      const groups = guidedGroups(ids(count), concurrency, minSize);
      expect(groups.flat()).toEqual(ids(count));
      const sizes = groups.map((g) => g.length);
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1] ?? 0);
      // Only the last group may be smaller than the minimum (it holds what is left).
      for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(minSize);
    }
  });

  it("starts large and ends with single web apps, one per worker at least", () => {
    const sizes = guidedGroups(ids(50), 2, 1).map((g) => g.length);
    expect(sizes).toEqual([13, 10, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]);
  });

  it("never puts more than 300 web apps in one IN list", () => {
    const sizes = guidedGroups(ids(5000), 2, 1).map((g) => g.length);
    expect(Math.max(...sizes)).toBe(300);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(sizes.at(-1)).toBe(1);
  });

  it("keeps groups at the minimum size when the subscription is small", () => {
    expect(guidedGroups(ids(10), 2, 4).map((g) => g.length)).toEqual([4, 4, 2]);
    expect(guidedGroups(ids(10), 2, 10)).toEqual([ids(10)]);
    expect(guidedGroups([], 2, 1)).toEqual([]);
  });
});
