/**
 * The QualysWasScan pipeline task: the form's inputs (tasks/QualysWasScan/task.json) to the WAS gate's options,
 * run by the shared task shell.
 */

import { runWasGate, type WasGateOptions, wasGateApi } from "@qualys-connector/gate";
import {
  booleanInput,
  choiceInput,
  integerInput,
  optionalInput,
  policyInputs,
  requiredInput,
  timingInputs,
} from "./inputs.js";
import { runGateTask } from "./run-gate-task.js";

/** The form's scan inputs as the WAS gate's options. */
export function wasOptions(): Omit<
  WasGateOptions,
  "clock" | "signal" | "forceSignal" | "progress" | "tool" | "scanName" | "optionName"
> {
  const authRecord = choiceInput("authRecord", ["none", "default", "other"] as const, "none");
  const optionProfile = choiceInput("optionProfile", ["default", "other"] as const, "default");
  const cancel = choiceInput("cancelOption", ["none", "after"] as const, "none");
  const scanner = optionalInput("scanner") ?? "external";
  return {
    // The pick list stores the id; a typed value may also be an exact web app name (the gate resolves both).
    webApp: requiredInput("webApp"),
    type: choiceInput("scanType", ["VULNERABILITY", "DISCOVERY"] as const, "VULNERABILITY"),
    authRecord: authRecord === "other" ? { id: integerInput("authRecordId", 1) } : authRecord,
    optionProfileId: optionProfile === "other" ? integerInput("optionProfileId", 1) : undefined,
    scanner:
      scanner.toLowerCase() === "external"
        ? { type: "EXTERNAL" }
        : scanner.toLowerCase() === "internal"
          ? { type: "INTERNAL" }
          : { type: "INTERNAL", friendlyName: scanner },
    // Qualys accepts 1 to 24 hours (the cancel-hours check of Qualys' Jenkins WAS connector).
    cancelAfterHours: cancel === "after" ? integerInput("cancelHours", 1, 24) : undefined,
    ...timingInputs({ poll: "5", timeout: "60*24" }),
    onTimeout: booleanInput("leaveScanOnTimeout") ? "leave" : "cancel",
    onRunning: choiceInput("onRunning", ["attach", "wait", "cancel", "fail"] as const, "attach"),
    maxPollFailures: 5,
  };
}

// runGateTask never rejects: every problem ends as the task's result.
void runGateTask({
  name: "QualysWasScan",
  userAuth: "basic",
  api: wasGateApi,
  run: runWasGate,
  options: wasOptions,
  policy: () => policyInputs(),
});
