/** The CLI version, kept in step with packages/cli/package.json (checked by a test). */
export const VERSION = "0.1.0";

/** How the CLI names itself in a gate result (`tool` of result.json). */
export const TOOL = { name: "qualys-connector", version: VERSION } as const;
