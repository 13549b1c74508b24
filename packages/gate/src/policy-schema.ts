/**
 * The policy file (`--policy FILE`, YAML or JSON): the schema with descriptions, from which
 * `schema/policy.schema.json` is generated (`npm run gen:policy-schema`; a test keeps them equal).
 */

import { z } from "zod";

const action = z
  .enum(["fail", "warn"])
  .describe("fail: a violation fails the run (exit 1); warn: it is reported and the run still passes.");

const newOnly = z
  .boolean()
  .describe("Count only findings that are not in the baseline (--baseline FILE). Default false.");

const qidList = z
  .union([z.string(), z.array(z.union([z.string(), z.number().int()]))])
  .describe('QIDs and inclusive ranges: "150000-150100, 150263" or a list of such entries.');

const cveList = z
  .union([z.string(), z.array(z.string())])
  .describe('CVE ids: "CVE-2017-1000116, CVE-2018-2771" or a list of them.');

const severityLevelRule = z.union([
  z
    .number()
    .int()
    .min(0)
    .describe("Fail if the count of vulnerabilities of this severity is more than this."),
  z.strictObject({
    max: z.number().int().min(0).describe("Fail if the count is more than this."),
    action: action.optional(),
    newOnly: newOnly.optional(),
  }),
]);

const severity = z.number().int().min(1).max(5);

export const policyFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this JSON Schema, for editors."),
    version: z.literal(1).describe("Policy format version."),
    criteria: z
      .strictObject({
        severityCounts: z
          .partialRecord(z.enum(["1", "2", "3", "4", "5"]), severityLevelRule)
          .optional()
          .describe(
            "Per severity level: fail if the count of vulnerabilities of that level is more than the number " +
              "(as Qualys' connectors put it: 'Fail if the count of Severity N vulnerabilities is more than').",
          ),
        minSeverity: z
          .union([
            severity,
            z.strictObject({ severity, action: action.optional(), newOnly: newOnly.optional() }),
          ])
          .optional()
          .describe("Fail if any vulnerability has this severity or a higher one."),
        failOnQids: z
          .union([
            qidList,
            z.strictObject({ qids: qidList, action: action.optional(), newOnly: newOnly.optional() }),
          ])
          .optional()
          .describe("Fail if any of these QIDs is found."),
        failOnCves: z
          .union([
            cveList,
            z.strictObject({ cves: cveList, action: action.optional(), newOnly: newOnly.optional() }),
          ])
          .optional()
          .describe("Fail if any vulnerability carries one of these CVEs."),
        failOnCvss: z
          .union([
            z.number().min(0).max(10),
            z.strictObject({
              score: z.number().min(0).max(10),
              version: z.enum(["2", "3", "max"]).optional(),
              action: action.optional(),
              newOnly: newOnly.optional(),
            }),
          ])
          .optional()
          .describe(
            "Fail if any vulnerability's CVSS base score is at or above this. version: 2, 3, or max " +
              "(the higher of both; the default).",
          ),
        failOnPci: z
          .union([z.boolean(), z.strictObject({ action: action.optional(), newOnly: newOnly.optional() })])
          .optional()
          .describe("Fail if any vulnerability is flagged for PCI."),
        includePotential: z
          .boolean()
          .optional()
          .describe("VM: count potential vulnerabilities too. Default false: only confirmed ones count."),
        scanIncomplete: action
          .optional()
          .describe(
            "What an incomplete scan does (timeout, ERROR, CANCELED, unclean results status, no host alive). " +
              "Default fail (exit 2); warn lets the run pass on whatever results exist, and says so.",
          ),
      })
      .optional(),
    excludeQids: qidList.optional().describe("QIDs never counted by any criterion."),
    excludeCves: cveList
      .optional()
      .describe("Findings carrying any of these CVEs are never counted; works together with excludeQids."),
    exceptions: z
      .array(
        z.strictObject({
          id: z.string().trim().min(1).describe("A name for the exception, shown in every report."),
          reason: z.string().trim().min(1).describe("Why the risk is accepted. Required."),
          expires: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .describe("YYYY-MM-DD. The exception applies up to and including this day (UTC), then stops."),
          qids: qidList.optional().describe("QIDs it covers."),
          webApps: z
            .array(z.union([z.number().int(), z.string().min(1)]))
            .optional()
            .describe("Web app ids or names it covers (VM: host IPs or instance ids). Default: any."),
          urls: z
            .array(z.string().min(1))
            .optional()
            .describe("URL patterns it covers; * matches any characters. Default: any URL."),
        }),
      )
      .optional()
      .describe("Accepted risks. A finding matched by a live exception counts for no criterion."),
    baseline: z
      .string()
      .optional()
      .describe("Baseline file (from `qualys-connector baseline create`), relative to this policy file."),
  })
  .describe("A Qualys Connector gate policy.");

export type PolicyFile = z.infer<typeof policyFileSchema>;

/** The JSON Schema of the policy file, as committed in schema/policy.schema.json. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policyFileSchema, { io: "input" }),
    $id: "https://qualys-connector.invalid/schema/policy.schema.json",
    title: "Qualys Connector gate policy",
  };
}
