import { describe, expect, it } from "vitest";
import { defaultScanNameTemplate, detectCi, renderScanName, ScanNameError } from "../src/index.js";

const NOW = new Date("2026-12-01T13:05:09.123Z");

describe("scan names", () => {
  it.each([
    [
      { TF_BUILD: "True", BUILD_DEFINITIONNAME: "shop-ci", BUILD_BUILDID: "812" },
      "shop-ci_azureDevOps_build_812_2026-12-01-13-05-09",
    ],
    [
      { JENKINS_URL: "http://ci/", JOB_NAME: "shop", BUILD_NUMBER: "7" },
      "shop_jenkins_build_7_2026-12-01-13-05-09",
    ],
    [
      { GITHUB_ACTIONS: "true", GITHUB_WORKFLOW: "dast", GITHUB_RUN_NUMBER: "31" },
      "dast_github_build_31_2026-12-01-13-05-09",
    ],
    [
      { GITLAB_CI: "true", CI_PROJECT_PATH: "team/shop", CI_PIPELINE_IID: "5" },
      "team/shop_gitlab_build_5_2026-12-01-13-05-09",
    ],
    [{}, "qualys-connector_local_build_manual_2026-12-01-13-05-09"],
  ])("default name under %j", (env, expected) => {
    const ci = detectCi(env);
    expect(renderScanName(defaultScanNameTemplate(ci.ci), ci, NOW)).toBe(expected);
  });

  it("fills every variable and always appends the timestamp", () => {
    const ci = detectCi({
      GITHUB_ACTIONS: "true",
      GITHUB_REF_NAME: "main",
      GITHUB_SHA: "abc123",
      GITHUB_WORKFLOW: "w",
    });
    expect(renderScanName("{ci}-{branch}-{commit}-{pipeline}-{build}", ci, NOW)).toBe(
      "github-main-abc123-w-unknown_2026-12-01-13-05-09",
    );
  });

  it("rejects unknown variables and empty names", () => {
    const ci = detectCi({});
    expect(() => renderScanName("{job_name}_{build}", ci, NOW)).toThrow(
      new ScanNameError(
        "scanName: unknown variable {job_name}; use {pipeline} {build} {ci} {branch} {commit}",
      ),
    );
    expect(() => renderScanName(" \u0007 ", ci, NOW)).toThrow(/empty/);
  });

  it("keeps names within Qualys' 256 characters, timestamp included", () => {
    const name = renderScanName("x".repeat(400), detectCi({}), NOW);
    expect(name).toHaveLength(256);
    expect(name.endsWith("_2026-12-01-13-05-09")).toBe(true);
  });
});
