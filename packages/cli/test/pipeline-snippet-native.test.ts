/**
 * `pipeline-snippet` without --shell: each CI system's native step. Golden files, and the step's input names
 * cross-checked against the integrations they feed: the GitLab components (integrations/gitlab/templates), the
 * Azure DevOps tasks (task.json), and, where they are in the tree, the GitHub action (action.yml) and the Jenkins
 * library (QualysGate.groovy's parameter lists). Hostile values must read back unchanged in each syntax.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import {
  CI_SYSTEMS,
  type CiSystem,
  GATES,
  type Gate,
  PIPELINE_SNIPPET_EXAMPLES,
} from "../src/commands/pipeline-snippet.js";
import { EXIT, runCli, VERSION } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const goldenDir = path.join(here, "golden/pipeline-snippet");
const PASSWORD = "pw-Secr3t!-do-not-print";

async function snippet(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  try {
    const code = await runCli(["pipeline-snippet", ...args]);
    expect(stdout + stderr).not.toContain(PASSWORD);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function native(
  ci: CiSystem,
  gate: Gate,
  scanArgs: readonly string[] = PIPELINE_SNIPPET_EXAMPLES[gate],
) {
  const run = await snippet(["--ci", ci, "--gate", gate, "--", ...scanArgs]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(EXIT.ok);
  return run.stdout;
}

function record(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not a mapping");
  return value as Record<string, unknown>;
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error("not a list");
  return value;
}

/** The inputs of the step the snippet configures, by CI system. */
function nativeInputs(ci: CiSystem, output: string): Record<string, unknown> {
  if (ci === "jenkins") return jenkinsParameters(output);
  const doc: unknown = parseYaml(output);
  if (ci === "gitlab") return record(record(list(record(doc).include)[0]).inputs ?? {});
  if (ci === "github") return record(record(list(doc)[0]).with);
  return record(record(list(doc)[0]).inputs);
}

/** Read a Groovy single-quoted string literal back (only `\\` and `\'` are escapes there). */
function unGroovy(literal: string): string {
  expect(literal).toMatch(/^'(?:[^'\\]|\\.)*'$/s);
  return literal.slice(1, -1).replace(/\\(.)/gs, "$1");
}

/** The named parameters of the library step call: `name: 'text'`, `name: true` or `name: ['a', 'b']`. */
function jenkinsParameters(output: string): Record<string, unknown> {
  const call = /(qualysWasScan|qualysVmScan)\(\n([\s\S]*?)\n {8}\)/.exec(output);
  if (!call) throw new Error("no library step call");
  const parameters: Record<string, unknown> = {};
  const value = /\s*([A-Za-z0-9]+): (true|false|'(?:[^'\\]|\\.)*'|\[(?:'(?:[^'\\]|\\.)*'(?:, )?)*\]),?\n?/gsy;
  const body = `${call[2] ?? ""}\n`;
  let match: RegExpExecArray | null = value.exec(body);
  let end = 0;
  while (match) {
    const text = match[2] ?? "";
    parameters[match[1] ?? ""] =
      text === "true" || text === "false"
        ? text === "true"
        : text.startsWith("[")
          ? [...text.matchAll(/'(?:[^'\\]|\\.)*'/gs)].map((m) => unGroovy(m[0]))
          : unGroovy(text);
    end = value.lastIndex;
    match = value.exec(body);
  }
  expect(end, "every line of the call is a parameter").toBe(body.length);
  return parameters;
}

beforeEach(() => {
  vi.stubEnv("QUALYS_PASSWORD", PASSWORD);
  vi.stubEnv("QUALYS_USERNAME", "env_user");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("pipeline-snippet native steps: golden files", () => {
  for (const ci of CI_SYSTEMS)
    for (const gate of GATES)
      it(`${ci} ${gate}`, async () => {
        const output = await native(ci, gate);
        const file = path.join(goldenDir, `${ci}-${gate}.${ci === "jenkins" ? "groovy" : "yml"}`);
        expect(output).toBe(readFileSync(file, "utf8"));
        // The installed package, never a path into this repository or npx.
        expect(output).not.toMatch(/packages\/cli|dist\/cli\.js|npx/);
        expect(output).not.toContain("env_user");
      });
});

describe("pipeline-snippet native steps: docs", () => {
  it("docs/ci/gitlab.md shows the snippets this build prints", async () => {
    const doc = readFileSync(path.join(root, "docs/ci/gitlab.md"), "utf8");
    for (const gate of GATES) expect(doc).toContain(await native("gitlab", gate));
  });
});

describe("pipeline-snippet native steps: input names match the integrations", () => {
  it("GitLab: the component of the gate, pinned to this version, with inputs its template declares", async () => {
    for (const gate of GATES) {
      const output = await native("gitlab", gate, [
        ...PIPELINE_SNIPPET_EXAMPLES[gate],
        "--report-dir",
        "out",
      ]);
      const include = record(list(record(parseYaml(output)).include)[0]);
      expect(include.component).toBe(
        `$CI_SERVER_FQDN/your-group/qualys-connector/qualys-${gate}-scan@${VERSION}`,
      );
      const template = path.join(root, "integrations/gitlab/templates", `qualys-${gate}-scan.yml`);
      const [header] = parseAllDocuments(readFileSync(template, "utf8")).map((d) => d.toJS());
      const declared = record(record(record(header).spec).inputs);
      for (const [name, value] of Object.entries(nativeInputs("gitlab", output))) {
        const spec = record(declared[name]);
        expect(typeof value, name).toBe(spec.type === "boolean" ? "boolean" : "string");
      }
      expect(nativeInputs("gitlab", output)["report-dir"]).toBe("out");
    }
  });

  it("GitLab: every scan flag the component takes is an input of its template (and no other)", async () => {
    const { GITLAB_FLAG_INPUTS } = await import("../src/commands/pipeline-native.js");
    for (const gate of GATES) {
      const template = path.join(root, "integrations/gitlab/templates", `qualys-${gate}-scan.yml`);
      const [header] = parseAllDocuments(readFileSync(template, "utf8")).map((d) => d.toJS());
      const own = ["job-name", "stage", "version", "image", "gitlab-dast", "allow-failure-exit-codes"];
      const flags = Object.keys(record(record(record(header).spec).inputs)).filter((n) => !own.includes(n));
      expect([...GITLAB_FLAG_INPUTS[gate]].sort()).toEqual(flags.sort());
    }
  });

  it("Azure DevOps: the task of task.json (name and major version), with its inputs and pick-list values", async () => {
    for (const gate of GATES) {
      const task = JSON.parse(
        readFileSync(
          path.join(
            root,
            "integrations/azure-devops/tasks",
            `Qualys${gate === "was" ? "Was" : "Vm"}Scan/task.json`,
          ),
          "utf8",
        ),
      ) as {
        name: string;
        version: { Major: number };
        inputs: { name: string; type: string; options?: Record<string, string> }[];
      };
      const scanArgs =
        gate === "was"
          ? [
              "--webapp",
              "shop",
              "--max-severity-count",
              "5=0,3=2",
              "--auth-record",
              "77",
              "--option-profile",
              "9",
            ]
          : ["--ip", "10.0.0.5", "--scanner", "dc-appliance", "--fail-on-cvss", "7", "--cvss-version", "3"];
      const output = await native("azure", gate, [
        ...scanArgs,
        "--on-incomplete",
        "warn",
        "--policy",
        "p.yaml",
      ]);
      const step = record(list(parseYaml(output))[0]);
      expect(step.task).toBe(`${task.name}@${task.version.Major}`);
      for (const [name, value] of Object.entries(nativeInputs("azure", output))) {
        const input = task.inputs.find((i) => i.name === name);
        expect(input, `${name} is an input of ${task.name}`).toBeDefined();
        if (input?.type === "boolean") expect(typeof value, name).toBe("boolean");
        else expect(typeof value, name).toBe("string");
        if (input?.options) expect(Object.keys(input.options), name).toContain(value);
      }
    }
  });

  const actionFile = path.join(root, "integrations/github-action/action.yml");
  it.skipIf(!existsSync(actionFile))("GitHub: every input is an input of action.yml", async () => {
    const action = record(parseYaml(readFileSync(actionFile, "utf8")));
    const declared = Object.keys(record(action.inputs));
    const { GITHUB_FLAG_INPUTS } = await import("../src/commands/pipeline-native.js");
    for (const name of GITHUB_FLAG_INPUTS) expect(declared, name).toContain(name);
    for (const gate of GATES) {
      const output = await native("github", gate, [
        ...PIPELINE_SNIPPET_EXAMPLES[gate],
        "--report-dir",
        "out",
      ]);
      for (const name of Object.keys(nativeInputs("github", output))) expect(declared, name).toContain(name);
    }
  });

  const jenkinsLibrary = path.join(
    root,
    "integrations/jenkins/src/qualysconnector/jenkins/QualysGate.groovy",
  );
  it.skipIf(!existsSync(jenkinsLibrary))(
    "Jenkins: every parameter is one the library step reads",
    async () => {
      const source = readFileSync(jenkinsLibrary, "utf8");
      const names = (list: string) => {
        const body = new RegExp(`static final List<String> ${list} = \\[([\\s\\S]*?)\\]`).exec(source)?.[1];
        if (body === undefined) throw new Error(`${list} not found in QualysGate.groovy`);
        return [...body.matchAll(/'([A-Za-z0-9]+)'/g)].map((m) => m[1]);
      };
      const common = [...names("CONNECTION_PARAMETERS"), ...names("GATE_PARAMETERS")];
      for (const gate of GATES) {
        const known = [...common, ...names(gate === "was" ? "WAS_PARAMETERS" : "VM_PARAMETERS")];
        const output = await native("jenkins", gate, [
          ...PIPELINE_SNIPPET_EXAMPLES[gate],
          "--report-dir",
          "out",
        ]);
        for (const name of Object.keys(nativeInputs("jenkins", output))) expect(known, name).toContain(name);
      }
    },
  );
});

describe("pipeline-snippet native steps: translation and quoting", () => {
  const hostile = `it's "quoted" \\ $HOME \`id\` '''x''' \${env.X} #{y} : - [a] {b}`;

  for (const ci of CI_SYSTEMS)
    it(`${ci}: a hostile value reads back unchanged`, async () => {
      const output = await native(ci, "was", ["--webapp", hostile, "--scan-name", "it's ' mine"]);
      const inputs = nativeInputs(ci, output);
      const webApp = { jenkins: "webAppId", azure: "webApp", github: "webapp", gitlab: "webapp" }[ci];
      expect(inputs[webApp]).toBe(hostile);
      expect(Object.values(inputs)).toContain("it's ' mine");
    });

  it("Jenkins: the plugin's parameters where they exist, every other flag in extraArgs as given", async () => {
    const output = await native("jenkins", "was", [
      "--webapp",
      "42",
      "--max-severity-count",
      "5=0,4=2",
      "--min-severity",
      "3",
      "--on-running",
      "wait",
      "--exclude-qids",
      "150001",
      "--cancel-after-hours",
      "6",
    ]);
    expect(nativeInputs("jenkins", output)).toEqual({
      credsId: "qualys-api",
      webAppId: "42",
      cancelOptions: "xhours",
      cancelHours: "6",
      isSev5Vulns: true,
      severity5Limit: "0",
      isSev4Vulns: true,
      severity4Limit: "0",
      isSev3Vulns: true,
      severity3Limit: "0",
      extraArgs: ["--on-running", "wait", "--exclude-qids", "150001"],
    });
  });

  it("Azure DevOps: --min-severity N fails on N and above (a count of 0 each)", async () => {
    const inputs = nativeInputs(
      "azure",
      await native("azure", "was", ["--webapp", "1", "--min-severity", "4"]),
    );
    expect(inputs).toMatchObject({ failBySev4: true, sev4Count: "0", failBySev5: true, sev5Count: "0" });
    expect(inputs.failBySev3).toBeUndefined();
  });

  it("refuses a flag the integration has no input for, pointing at --shell", async () => {
    const cases: [CiSystem, string[]][] = [
      ["github", ["--webapp", "1", "--no-wait"]],
      ["gitlab", ["--webapp", "1", "--max-retries", "2"]],
      ["azure", ["--webapp", "1", "--platform", "US2"]],
      ["azure", ["--webapp", "1", "--scan-id", "5"]],
    ];
    for (const [ci, scanArgs] of cases) {
      const run = await snippet(["--ci", ci, "--gate", "was", "--", ...scanArgs]);
      expect(run.code, `${ci} ${scanArgs.join(" ")}`).toBe(EXIT.error);
      expect(run.stderr).toContain("--shell");
      expect(run.stdout).toBe("");
      const shell = await snippet(["--shell", "--ci", ci, "--gate", "was", "--", ...scanArgs]);
      expect(shell.code).toBe(EXIT.ok);
    }
  });

  it("--auth oauth maps the OAuth secrets for the GitHub action", async () => {
    const inputs = nativeInputs(
      "github",
      await native("github", "was", ["--webapp", "1", "--auth", "oauth"]),
    );
    expect(inputs).toMatchObject({
      auth: "oauth",
      "client-id": `\${{ secrets.QUALYS_CLIENT_ID }}`,
      "client-secret": `\${{ secrets.QUALYS_CLIENT_SECRET }}`,
    });
    expect(inputs.password).toBeUndefined();
  });
});
