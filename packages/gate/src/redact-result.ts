/**
 * A gate result with every secret masked, for the outputs: the texts the gate writes itself (the reason, the
 * error, warnings) lose every secret shape and known value; the scan's data (findings, definitions, names) loses
 * the known values only, so no pattern alters the evidence a report shows.
 */

import { createRedactor } from "@qualys-connector/client";
import type { GateResult } from "./result.js";

function mapStrings<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, mask)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, mask)])) as T;
  }
  return value;
}

/** `result` with secrets masked; `secrets` are the exact values known to the caller (see the client's `knownSecrets`). */
export function redactGateResult(result: GateResult, secrets: readonly string[] = []): GateResult {
  const redactor = createRedactor(secrets);
  const own = redactor.redact;
  const data = mapStrings(result, redactor.redactKnown);
  return {
    ...data,
    reason: own(data.reason),
    warnings: data.warnings.map(own),
    incomplete: data.incomplete && { ...data.incomplete, reason: own(data.incomplete.reason) },
    error: data.error && { ...data.error, message: own(data.error.message) },
  };
}
