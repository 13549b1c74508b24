/** One line for any error, with its kind, for results and the console. Client errors are already redacted. */

import { QualysError } from "@qualys-connector/client";

export function describeError(error: unknown): { kind: string; message: string } {
  if (error instanceof QualysError) return { kind: error.kind, message: error.message };
  if (error instanceof Error)
    return { kind: error.name === "Error" ? "internal" : error.name, message: error.message };
  return { kind: "internal", message: String(error) };
}
