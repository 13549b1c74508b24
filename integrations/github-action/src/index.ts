/**
 * The bundle's entry: run the step with the runner's environment and end the process with its exit code.
 * (The step itself is run-action.ts; this file only starts it.)
 */

import { runAction } from "./run-action.js";

// runAction never rejects: every problem ends as an annotation and exit 1.
void runAction(process.env).then((code) => {
  process.exitCode = code;
});
