import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { redactGateResult, writeGateOutputs } from "../src/index.js";
import { errorResult, sampleResult } from "./sample-result.js";

const PASSWORD = "Pa:ss/w rd&é";
const BASIC = Buffer.from(`alice:${PASSWORD}`, "utf8").toString("base64");
const SECRETS = [PASSWORD, BASIC];

describe("gate outputs are the last line of defence for secrets", () => {
  it("every output file is written with known secrets and secret shapes masked", () => {
    const error = errorResult();
    const base = sampleResult();
    const result = {
      ...error,
      reason: `error: echo ${BASIC}`,
      warnings: [`proxy said {"clientSecret":"cs-unknown-1","password":"${encodeURIComponent(PASSWORD)}"}`],
      error: { kind: "http", message: `Authorization: Basic ${BASIC} password=${PASSWORD}` },
      // A finding whose data carries a known secret (an echo captured in the evidence).
      findings: base.findings.map((f, i) => (i === 0 ? { ...f, title: `${f.title} ${PASSWORD}` } : f)),
    };
    const dir = mkdtempSync(path.join(tmpdir(), "redact-outputs-"));
    const paths = writeGateOutputs(result, dir, { secrets: SECRETS });
    for (const file of Object.values(paths)) {
      const text = readFileSync(file, "utf8");
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), BASIC, "cs-unknown-1"])
        expect(text.includes(secret), `${secret} in ${path.basename(file)}`).toBe(false);
    }
    const json = readFileSync(paths.json, "utf8");
    expect(json).toContain("[REDACTED]");
  });

  it("scan data loses known values only: no pattern rewrites the evidence", () => {
    const base = sampleResult();
    const evidence = "POST /login username=admin&password=admin Authorization: Basic YWRtaW46YWRtaW4=";
    const result = {
      ...base,
      findings: base.findings.map((f, i) => (i === 0 ? { ...f, title: evidence } : f)),
    };
    const redacted = redactGateResult(result, SECRETS);
    expect(redacted.findings[0]?.title).toBe(evidence);
    expect(redactGateResult(base, SECRETS)).toEqual(base);
  });
});
