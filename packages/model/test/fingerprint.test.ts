import { describe, expect, it } from "vitest";
import { fingerprint, normalizeUrl } from "../src/index.js";

describe("normalizeUrl", () => {
  it.each([
    ["HTTPS://Shop.Example:443/Cart?b=2&a=1#top", "https://shop.example/Cart?a&b"],
    ["http://shop.example:80/", "http://shop.example/"],
    ["http://user:secret@shop.example:8080/x?sid=abc&sid=def", "http://shop.example:8080/x?sid"],
    ["  /relative/path ", "/relative/path"],
    ["", ""],
    ["javascript:alert(1)", "javascript:alert(1)"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });
});

describe("fingerprint", () => {
  const base = { target: "1001", qid: 150001, url: "https://shop.example/search?q=1", param: "q" };

  it("ignores cosmetic URL differences", () => {
    expect(fingerprint(base)).toBe(fingerprint({ ...base, url: "https://SHOP.example:443/search?q=2#x" }));
  });

  it("changes with target, QID, path and parameter", () => {
    const others = [
      { ...base, target: "1002" },
      { ...base, qid: 150002 },
      { ...base, url: "https://shop.example/Search?q=1" },
      { ...base, param: "p" },
    ].map(fingerprint);
    expect(new Set([fingerprint(base), ...others]).size).toBe(5);
  });

  it("is 32 hex characters", () => {
    expect(fingerprint(base)).toMatch(/^[0-9a-f]{32}$/);
  });
});
