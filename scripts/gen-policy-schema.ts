// Regenerates packages/gate/schema/policy.schema.json from the zod schema (npm run gen:policy-schema).
// A test fails when the committed file differs, so the two never drift apart.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { policyJsonSchema } from "@qualys-connector/gate";

const target = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../packages/gate/schema/policy.schema.json",
);
writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
