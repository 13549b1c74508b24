/** Types of build.mjs, for the tests that build the views. */
export function buildWeb(options?: { out?: string; sdk?: string }): Promise<string[]>;
