/** One line for any error, with its kind, for results and the console. Client errors are already redacted. */

import { QualysError } from "@qualys-connector/client";

export function describeError(
  error: unknown,
  /** How to write an option an error names (errors with `messageWith`); by default the option's own name. */
  optionName?: (option: string) => string,
): { kind: string; message: string } {
  const message =
    optionName && error instanceof Error && "messageWith" in error && typeof error.messageWith === "function"
      ? String((error.messageWith as (name: (option: string) => string) => unknown)(optionName))
      : error instanceof Error
        ? error.message
        : String(error);
  if (error instanceof QualysError) return { kind: error.kind, message };
  // A gate's own ToolError (scan-lifecycle.ts) names its kind: `polling`, `usage`, `connector`.
  if (error instanceof Error && "errorKind" in error && typeof error.errorKind === "string")
    return { kind: error.errorKind, message };
  if (error instanceof Error) return { kind: error.name === "Error" ? "internal" : error.name, message };
  return { kind: "internal", message: String(error) };
}
