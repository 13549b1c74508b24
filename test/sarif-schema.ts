/**
 * The SARIF 2.1.0 JSON Schema, as shipped in the npm package @microsoft/jest-sarif (and, when present, the
 * OASIS copy beside the corpus), compiled with Ajv for draft-04.
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const PACKAGED_SARIF_SCHEMA = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@microsoft/jest-sarif/package.json")),
  "lib",
  "schemas",
  "sarif-2.1.0-rtm.5.json",
);
export const OFFICIAL_SARIF_SCHEMA = path.join(root, "..", "shared", "schemas", "sarif-schema-2.1.0.json");
export const HAS_OFFICIAL_SARIF_SCHEMA = existsSync(OFFICIAL_SARIF_SCHEMA);

/** RFC 3986 characters of a URI, with `%` only as part of a percent-encoding. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** A validator for one of the schema files. */
export function sarifValidator(schemaPath: string = PACKAGED_SARIF_SCHEMA) {
  // The schema's `language` pattern is valid only without the `u` flag, which Ajv adds by default.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  // Ajv checks no formats by itself; these make `uri` fields count instead of being ignored with a warning.
  ajv.addFormat("uri", (text: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) && URI_REFERENCE.test(text));
  ajv.addFormat("uri-reference", (text: string) => URI_REFERENCE.test(text));
  ajv.addFormat("date-time", (text: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text),
  );
  const schema: object = JSON.parse(readFileSync(schemaPath, "utf8"));
  return ajv.compile(schema);
}
