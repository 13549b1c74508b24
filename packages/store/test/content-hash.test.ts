import { describe, expect, it } from "vitest";
import { contentHash } from "../src/rows.js";

/**
 * `content_hash` is stored: a change of its text would count every stored row as updated on the next write.
 * The values here were computed by the first implementation (JSON with every object's keys sorted by
 * `localeCompare`, SHA-256 in hex).
 */
describe("contentHash", () => {
  const finding = {
    uid: "f-1",
    id: 7,
    webAppId: 3,
    qid: 150001,
    name: "XSS",
    type: "VULNERABILITY",
    potential: false,
    status: undefined,
    severity: 5,
    cwe: ["CWE-79"],
    owasp: [],
    wasc: ["WASC-8"],
    categories: ["x"],
    evidence: { request: "GET /", response: "<html>", truncated: false },
    isIgnored: false,
    authenticated: undefined,
  };

  it("keeps the stored hashes of records", () => {
    expect(contentHash(finding)).toBe("22bce3a4fe405b2cb3ed564a80df7e13050fe0aefaed208777c57ab64cea4306");
  });

  it("does not depend on the order of fields, at any depth", () => {
    const { evidence, uid, ...rest } = finding;
    const reordered = { evidence: { truncated: false, response: "<html>", request: "GET /" }, ...rest, uid };
    expect(contentHash(reordered)).toBe(contentHash(finding));
  });

  it("sorts keys as localeCompare does, and hashes values a plain object cannot hold the same way", () => {
    const odd = { B: 1, a: [{ d: 1, C: undefined, c: null }], when: new Date(0), f: () => 1, n: Number.NaN };
    expect(contentHash(odd)).toBe("3bcbbb9a706ffc6471596632e1edfbc7506752496c6ff50d297f8eb873ba3aaf");
  });
});
