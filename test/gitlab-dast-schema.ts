/**
 * The required fields of GitLab's DAST report schema 15.0.7 (test/fixtures/gitlab-dast-report-format-15.0.7
 * .required.json, whose `$comment` names the source), compiled with Ajv (draft-07).
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";

export const GITLAB_DAST_SCHEMA_SUBSET = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "fixtures",
  "gitlab-dast-report-format-15.0.7.required.json",
);

/** A validator for a parsed gl-dast-report.json; its `errors` say what is wrong after a false. */
export function gitlabDastValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(GITLAB_DAST_SCHEMA_SUBSET, "utf8")));
}
