import { EXIT_CODES } from "@qualys-connector/gate";
import { describe, expect, it } from "vitest";
import { EXIT, exitCodesHelp } from "../src/exit-codes.js";

describe("exit codes", () => {
  it("are the gate's: the CLI exits with the code a gate result carries", () => {
    expect(EXIT).toEqual({
      ok: EXIT_CODES.passed,
      policyFailed: EXIT_CODES.failed,
      scanIncomplete: EXIT_CODES.incomplete,
      error: EXIT_CODES.error,
    });
    expect(Object.values(EXIT)).toEqual([0, 1, 2, 3]);
  });

  it("are listed in --help, each with its meaning", () => {
    expect(exitCodesHelp().split("\n")).toEqual([
      "Exit codes:",
      "  0  success, or the gate passed (warnings allowed)",
      "  1  the gate's policy failed",
      "  2  the gate's scan did not complete (timeout, ERROR, CANCELED, unclean results status, no host alive)",
      "  3  error: usage, configuration, authentication, network, API or parse",
    ]);
    expect(exitCodesHelp([EXIT.ok, EXIT.error])).toBe(
      "Exit codes:\n  0  success\n  3  error: usage, configuration, authentication, network, API or parse",
    );
  });
});
