import { type OptionMessage, renderOptionMessage } from "@qualys-connector/client";
import { INPUT_OF_OPTION } from "@qualys-connector/gate";

/**
 * The libraries name their options (`pageSize`); the user of this command typed flags. This table is the one place
 * that maps the options a library error or a gate reason may name to the flags that set them.
 */
export const FLAG_OF: Readonly<Record<string, string>> = {
  // Client connection (settings.ts). Scan commands call the request timeout --request-timeout; the CLI checks
  // that value itself before the client sees it.
  apiUrl: "--api-url",
  platform: "--platform",
  gatewayUrl: "--gateway-url",
  pageSize: "--page-size",
  concurrency: "--concurrency",
  maxRetries: "--max-retries",
  timeoutMs: "--timeout",
  caFile: "--ca-file",
  proxy: "--proxy",
  // Store.
  location: "--db",
  // Gate: the policy, the baseline, the scan and the target, named by the gate's one table of its inputs.
  ...Object.fromEntries(Object.entries(INPUT_OF_OPTION).map(([option, input]) => [option, `--${input}`])),
};

/** The flag that sets a library option; an option without a flag keeps its own name. */
export function flagOf(option: string): string {
  return FLAG_OF[option] ?? option;
}

/** A library message in this command's words: each option it names written as its flag. */
export function inFlags(message: OptionMessage): string {
  return renderOptionMessage(message, flagOf);
}

/**
 * An error's message in this command's words. The libraries' errors that name options (QualysConfigError,
 * PolicyError, BaselineError, ScanNameError, WebAppLookupError, ToolError, StoreLocationError) render with the
 * flags instead. The gate runners take `flagOf` as their `optionName` for the errors they put in a result.
 */
export function messageInFlags(error: unknown): string {
  if (error instanceof Error && "messageWith" in error && typeof error.messageWith === "function")
    return String((error.messageWith as (name: (option: string) => string) => unknown)(flagOf));
  return error instanceof Error ? error.message : String(error);
}
