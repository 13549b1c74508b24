/**
 * The bundle's entry: run the step with the runner's environment and end the process with its exit code.
 * (The action's parts are in main.ts; this file only starts them.)
 */

import { runAction } from "./main.js";

// runAction never rejects: every problem ends as an annotation and exit 1.
void runAction(process.env).then((code) => {
  process.exitCode = code;
});
