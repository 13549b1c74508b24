/** The CLI version, kept in step with packages/cli/package.json (checked by a test). */
export const VERSION = "0.1.0";
