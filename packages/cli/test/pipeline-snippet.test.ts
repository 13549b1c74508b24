import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  CI_SYSTEMS,
  type CiSystem,
  GATES,
  type Gate,
  PIPELINE_SNIPPET_EXAMPLES,
  shellQuote,
} from "../src/commands/pipeline-snippet.js";
import { EXIT, runCli, VERSION } from "../src/index.js";
import { spawnCli } from "./spawn-cli.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const goldenDir = path.join(here, "golden/pipeline-snippet");

// Secrets in the environment of the test: the snippet must never contain them.
const PASSWORD = "pw-Secr3t!-do-not-print";
const CLIENT_SECRET = "oauth-Secr3t-do-not-print";

/** The file scripts/update-pipeline-snippet-golden.ts writes for the shell form of one CI system and gate. */
function goldenPath(ci: CiSystem, gate: Gate): string {
  return path.join(goldenDir, `${ci}-${gate}.shell.${ci === "jenkins" ? "groovy" : "yml"}`);
}

function readGolden(ci: CiSystem, gate: Gate): string {
  const file = goldenPath(ci, gate);
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: run npx tsx scripts/update-pipeline-snippet-golden.ts and review it`,
    );
  return readFileSync(file, "utf8");
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `qualys-connector pipeline-snippet …` in this process through the program, capturing its output. */
async function snippet(args: readonly string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const capture =
    (append: (text: string) => void): typeof process.stdout.write =>
    (chunk: string | Uint8Array) => {
      append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(
    capture((text) => {
      stdout += text;
    }),
  );
  const err = vi.spyOn(process.stderr, "write").mockImplementation(
    capture((text) => {
      stderr += text;
    }),
  );
  try {
    // This file tests the shell form (--shell); pipeline-snippet-native.test.ts the native steps.
    const code = await runCli(["pipeline-snippet", "--shell", ...args]);
    // Whatever the arguments, no secret of the environment may reach any output.
    for (const secret of [PASSWORD, CLIENT_SECRET]) expect(stdout + stderr).not.toContain(secret);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function snippetOk(args: readonly string[]): Promise<string> {
  const run = await snippet(args);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(EXIT.ok);
  return run.stdout;
}

/**
 * Split a POSIX sh command into its words: single and double quotes, backslash escapes and line continuations.
 * An unquoted character the shell would expand or interpret throws, so a quoting mistake cannot pass unseen.
 */
function shellWords(script: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < script.length) {
    const c = script.charAt(i);
    if (c === "\\") {
      if (i + 1 >= script.length) throw new Error("trailing backslash");
      // Backslash-newline is a line continuation; any other escaped character is itself.
      if (script.charAt(i + 1) !== "\n") {
        word += script.charAt(i + 1);
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unterminated ' at ${i}`);
      word += script.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      for (;;) {
        if (i >= script.length) throw new Error('unterminated "');
        const d = script.charAt(i);
        if (d === '"') break;
        if (d === "$" || d === "`") throw new Error(`the shell would expand ${d} inside double quotes`);
        if (d === "\\" && '$`"\\\n'.includes(script.charAt(i + 1))) {
          if (script.charAt(i + 1) !== "\n") word += script.charAt(i + 1);
          i += 2;
        } else {
          word += d;
          i += 1;
        }
      }
      inWord = true;
      i += 1;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i += 1;
    } else if ("$`;&|<>(){}*?[]!".includes(c) || (!inWord && "#~".includes(c))) {
      throw new Error(`unquoted ${c} at ${i} in: ${script}`);
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Groovy escapes in '...' and '''...''' strings; backslash-newline continues the line. */
function unescapeGroovy(body: string): string {
  const escapes: Record<string, string> = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    $: "$",
    n: "\n",
    t: "\t",
    r: "\r",
    b: "\b",
    f: "\f",
    "\n": "",
  };
  return body.replace(/\\([\s\S])/g, (match, char: string) => {
    const replacement = escapes[char];
    if (replacement === undefined) throw new Error(`unknown Groovy escape ${match}`);
    return replacement;
  });
}

interface GroovyLexed {
  /** The source without comments, each string literal replaced by `STR<n>`. */
  code: string;
  /** The values of the string literals, escapes processed. */
  strings: string[];
}

/**
 * Just enough of a Groovy lexer to check the snippet's structure: comments, '...', '''...''', "..." strings.
 * Every string must be closed on the line it must be closed on.
 */
function lexGroovy(source: string): GroovyLexed {
  let code = "";
  const strings: string[] = [];
  let i = 0;
  const readQuoted = (quote: string, multiline: boolean): string => {
    let j = i + quote.length;
    while (j < source.length) {
      if (source.charAt(j) === "\\") j += 2;
      else if (source.startsWith(quote, j)) {
        const body = source.slice(i + quote.length, j);
        i = j + quote.length;
        return unescapeGroovy(body);
      } else if (!multiline && source.charAt(j) === "\n")
        throw new Error(`${quote} string not closed on its line`);
      else j += 1;
    }
    throw new Error(`${quote} string at ${i} is never closed`);
  };
  while (i < source.length) {
    if (source.startsWith("//", i)) {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end === -1) throw new Error("/* comment never closed");
      i = end + 2;
    } else if (source.startsWith("'''", i)) {
      strings.push(readQuoted("'''", true));
      code += `STR${strings.length - 1}`;
    } else if (source.charAt(i) === "'" || source.charAt(i) === '"') {
      const quote = source.charAt(i);
      if (
        quote === '"' &&
        source
          .slice(i)
          .match(/^"([^"\\]|\\.)*"/)?.[0]
          .includes("$")
      )
        throw new Error("a GString would interpolate");
      strings.push(readQuoted(quote, false));
      code += `STR${strings.length - 1}`;
    } else {
      code += source.charAt(i);
      i += 1;
    }
  }
  return { code, strings };
}

/** Throws unless ( ) [ ] { } balance in the code. */
function checkBalanced(code: string): void {
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  const stack: string[] = [];
  for (const [index, c] of [...code].entries()) {
    if ("([{".includes(c)) stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c])
        throw new Error(`unbalanced ${c} at ${index}: ${code.slice(0, index + 1)}`);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.join("")}`);
}

/** The text between the `{` at or after `from` and its matching `}`. */
function blockAfter(code: string, from: number): { body: string; end: number } {
  const open = code.indexOf("{", from);
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code.charAt(i) === "{") depth += 1;
    if (code.charAt(i) === "}") depth -= 1;
    if (depth === 0) return { body: code.slice(open + 1, i), end: i };
  }
  throw new Error("block never closed");
}

interface JenkinsSnippet {
  lexed: GroovyLexed;
  script: string;
}

/** Check the Jenkins snippet's structure; returns the shell script of its `sh` step. */
function checkJenkins(source: string, credentials = "qualys-api"): JenkinsSnippet {
  const lexed = lexGroovy(source);
  const { code, strings } = lexed;
  const str = (ref: string | undefined) => strings[Number(ref)];
  checkBalanced(code);
  const sh = /sh\(returnStatus: true, script: STR(\d+)\)/.exec(code);
  expect(sh).not.toBeNull();
  const creds =
    /withCredentials\(\[usernamePassword\(credentialsId: STR(\d+), usernameVariable: STR(\d+), passwordVariable: STR(\d+)\)\]\)/.exec(
      code,
    );
  expect(creds).not.toBeNull();
  expect(str(creds?.[1])).toBe(credentials);
  // The sh step runs inside withCredentials, inside try; the outputs are published in the finally block.
  const withCredentialsBlock = blockAfter(code, creds?.index ?? 0);
  expect(withCredentialsBlock.body).toContain("returnStatus: true");
  const tryIndex = code.indexOf("try {");
  expect(tryIndex).toBeGreaterThan(-1);
  expect(tryIndex).toBeLessThan(sh?.index ?? -1);
  const finallyIndex = code.indexOf("finally {");
  expect(finallyIndex).toBeGreaterThan(sh?.index ?? Number.POSITIVE_INFINITY);
  const finallyBlock = blockAfter(code, finallyIndex);
  expect(finallyBlock.body).toMatch(/\bjunit allowEmptyResults: true, testResults: STR\d+/);
  expect(finallyBlock.body).toMatch(/\barchiveArtifacts artifacts: STR\d+, allowEmptyArchive: true/);
  // After publishing: 2 is unstable, 1 and anything else an error.
  const verdict = code.slice(finallyBlock.end);
  expect(verdict).toMatch(/if \(qualysExitCode == 2\) \{\s*unstable\(STR\d+\)/);
  expect(verdict).toMatch(/else if \(qualysExitCode == 1\) \{\s*error\(STR\d+\)/);
  expect(verdict).toMatch(/else if \(qualysExitCode != 0\) \{\s*error\(/);
  return { lexed, script: str(sh?.[1]) ?? "" };
}

function record(value: unknown): Record<string, unknown> {
  expect(value).toBeTypeOf("object");
  expect(Array.isArray(value)).toBe(false);
  return value as Record<string, unknown>;
}

function list(value: unknown): unknown[] {
  expect(Array.isArray(value)).toBe(true);
  return value as unknown[];
}

/** The shell script a snippet runs, whatever the CI system. */
function scriptOf(ci: CiSystem, gate: Gate, output: string): string {
  if (ci === "jenkins") return checkJenkins(output).script;
  const doc: unknown = parseYaml(output);
  if (ci === "github") return String(record(list(doc)[0]).run);
  if (ci === "azure") return String(record(list(doc)[0]).bash);
  const script = list(record(record(doc)[`qualys-${gate}-gate`]).script);
  expect(script).toHaveLength(1);
  return String(script[0]);
}

function snippetArgs(
  ci: CiSystem,
  gate: Gate,
  scanArgs: readonly string[] = PIPELINE_SNIPPET_EXAMPLES[gate],
) {
  return ["--ci", ci, "--gate", gate, "--", ...scanArgs];
}

beforeEach(() => {
  vi.stubEnv("QUALYS_PASSWORD", PASSWORD);
  vi.stubEnv("QUALYS_CLIENT_SECRET", CLIENT_SECRET);
  vi.stubEnv("QUALYS_USERNAME", "env_user");
  vi.stubEnv("QUALYS_PLATFORM", "EU1");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("pipeline-snippet: golden files", () => {
  for (const ci of CI_SYSTEMS)
    for (const gate of GATES)
      it(`${ci} ${gate}`, async () => {
        const output = await snippetOk(snippetArgs(ci, gate));
        expect(output).toBe(readGolden(ci, gate));
        // The example's words reach the shell unchanged.
        expect(shellWords(scriptOf(ci, gate, output))).toEqual([
          "npx",
          "--yes",
          `qualys-connector@${VERSION}`,
          "scan",
          gate,
          ...PIPELINE_SNIPPET_EXAMPLES[gate],
        ]);
        expect(output).not.toContain("env_user");
      });

  it("is the same from the built CLI in a child process with the credentials in its environment", async () => {
    const args = ["pipeline-snippet", "--shell", ...snippetArgs("github", "was")];
    const result = await spawnCli(args, { QUALYS_PASSWORD: PASSWORD, QUALYS_CLIENT_SECRET: CLIENT_SECRET });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(readGolden("github", "was"));
    expect(result.stdout).not.toContain(PASSWORD);
  });
});

describe("pipeline-snippet: structure", () => {
  it("GitHub: the run step has an id, shell and the secrets; artifacts always; SARIF only after a verdict", async () => {
    for (const gate of GATES) {
      const steps = list(parseYaml(await snippetOk(snippetArgs("github", gate)))).map(record);
      expect(steps).toHaveLength(3);
      const [run, upload, sarif] = steps;
      expect(run).toMatchObject({
        id: `qualys_${gate}`,
        shell: "bash",
        env: {
          QUALYS_USERNAME: `\${{ secrets.QUALYS_USERNAME }}`,
          QUALYS_PASSWORD: `\${{ secrets.QUALYS_PASSWORD }}`,
          QUALYS_PLATFORM: `\${{ vars.QUALYS_PLATFORM }}`,
        },
      });
      expect(String(run?.run)).toMatch(
        new RegExp(`^npx --yes qualys-connector@${VERSION.replaceAll(".", "\\.")} scan ${gate} \\\\\n`),
      );
      expect(upload).toMatchObject({
        uses: "actions/upload-artifact@v4",
        if: "always()",
        with: { path: "qualys-results" },
      });
      expect(sarif).toMatchObject({
        uses: "github/codeql-action/upload-sarif@v3",
        if: `always() && (steps.qualys_${gate}.outputs.verdict == 'passed' || steps.qualys_${gate}.outputs.verdict == 'failed')`,
        with: { sarif_file: "qualys-results/results.sarif", category: `qualys-${gate}` },
      });
    }
  });

  it("Azure: secrets mapped explicitly; JUnit and the report published with condition always()", async () => {
    for (const gate of GATES) {
      const steps = list(parseYaml(await snippetOk(snippetArgs("azure", gate)))).map(record);
      expect(steps).toHaveLength(3);
      const [run, junit, artifact] = steps;
      expect(run).toMatchObject({
        name: `qualys_${gate}`,
        env: {
          QUALYS_USERNAME: "$(QUALYS_USERNAME)",
          QUALYS_PASSWORD: "$(QUALYS_PASSWORD)",
          QUALYS_PLATFORM: "$(QUALYS_PLATFORM)",
        },
      });
      expect(run?.condition).toBeUndefined();
      expect(junit).toMatchObject({
        task: "PublishTestResults@2",
        condition: "always()",
        inputs: { testResultsFormat: "JUnit", testResultsFiles: "qualys-results/junit.xml" },
      });
      expect(artifact).toMatchObject({
        task: "PublishPipelineArtifact@1",
        condition: "always()",
        inputs: { targetPath: "qualys-results", artifact: `qualys-${gate}-results` },
      });
    }
  });

  it("GitLab: artifacts always, with the JUnit report; the password is a masked variable, not in the file", async () => {
    for (const gate of GATES) {
      const output = await snippetOk(snippetArgs("gitlab", gate));
      const job = record(record(parseYaml(output))[`qualys-${gate}-gate`]);
      expect(job.artifacts).toEqual({
        when: "always",
        paths: ["qualys-results/"],
        reports: { junit: "qualys-results/junit.xml" },
      });
      expect(job.variables).toBeUndefined();
      expect(output).toMatch(/^# .*QUALYS_PASSWORD masked .* and protected/m);
    }
  });

  it("Jenkins: balanced, try/finally publishing, exit codes mapped after it", async () => {
    for (const gate of GATES) {
      const { lexed } = checkJenkins(await snippetOk(snippetArgs("jenkins", gate)));
      expect(lexed.strings).toContain("QUALYS_USERNAME");
      expect(lexed.strings).toContain("QUALYS_PASSWORD");
      expect(lexed.strings).toContain("qualys-results/junit.xml");
      expect(lexed.strings).toContain("qualys-results/**");
    }
  });

  it("the Groovy checker itself rejects broken snippets", async () => {
    const good = await snippetOk(snippetArgs("jenkins", "was"));
    expect(() => checkJenkins(good.replace("} finally {", "} finally {{"))).toThrow(/unclosed/);
    expect(() => checkJenkins(good.replace("          ''')", "          ')"))).toThrow(/never closed/);
    expect(() => checkJenkins(good.replace("} finally {", "}\n      if (true) {"))).toThrow();
  });
});

describe("pipeline-snippet: quoting", () => {
  // A ', $HOME, a backtick and spaces; then double quotes and backslashes; then what could end a Groovy ''' string.
  const tricky = "it's $HOME `whoami` and more";
  const cases: [string, string[]][] = [
    ["quote, $, backtick, spaces", ["--webapp", "shop (staging)", "--scan-name", tricky]],
    ["double quotes and backslashes", ["--webapp", 'say "hi" \\ C:\\temp\\', "--min-severity", "4"]],
    ["Groovy triple quotes and a trailing quote", ["--webapp", "a'''b''", "--scan-name", "'"]],
    [
      "a multi-line value and an empty one",
      ["--webapp", "first line\n  second line\n\nlast", "--scan-name", ""],
    ],
    ["= forms and a leading dash value", ["--webapp=it's mine", "--fail-on-qids", "-1"]],
  ];
  for (const ci of CI_SYSTEMS)
    for (const [name, scanArgs] of cases)
      it(`${ci}: ${name}`, async () => {
        const output = await snippetOk(snippetArgs(ci, "was", scanArgs));
        const words = shellWords(scriptOf(ci, "was", output));
        expect(words).toEqual(["npx", "--yes", `qualys-connector@${VERSION}`, "scan", "was", ...scanArgs]);
        for (const arg of scanArgs) expect(words.filter((w) => w === arg)).toHaveLength(1);
      });

  it("the tricky value appears once, single-quoted for sh", async () => {
    const quoted = `'it'\\''s $HOME \`whoami\` and more'`;
    expect(shellQuote(tricky)).toBe(quoted);
    for (const ci of ["github", "azure", "gitlab"] as const) {
      const output = await snippetOk(snippetArgs(ci, "was", ["--webapp", "x", "--scan-name", tricky]));
      expect(output.split(quoted)).toHaveLength(2);
    }
    // In Groovy's ''' string, the backslash is doubled.
    const jenkins = await snippetOk(snippetArgs("jenkins", "was", ["--webapp", "x", "--scan-name", tricky]));
    expect(jenkins.split(`'it'\\\\\\''s $HOME \`whoami\` and more'`)).toHaveLength(2);
  });

  it("scan flags without -- give the same snippet, and -- may follow them", async () => {
    const [first, ...rest] = PIPELINE_SNIPPET_EXAMPLES.was;
    const expected = readGolden("github", "was");
    expect(await snippetOk(["--ci", "github", "--gate", "was", ...PIPELINE_SNIPPET_EXAMPLES.was])).toBe(
      expected,
    );
    expect(await snippetOk([...PIPELINE_SNIPPET_EXAMPLES.was, "--gate", "was", "--ci", "github"])).toBe(
      expected,
    );
    expect(
      await snippetOk([
        "--gate",
        "was",
        first ?? "",
        rest[0] ?? "",
        "--ci",
        "github",
        "--",
        ...rest.slice(1),
      ]),
    ).toBe(expected);
  });
});

describe("pipeline-snippet: connection, credentials and outputs", () => {
  it("--platform, --api-url and --config pass through; QUALYS_PLATFORM is then not mapped", async () => {
    for (const connection of [
      ["--platform", "US2"],
      ["--api-url=https://qualysapi.qg2.apps.qualys.com"],
      ["--config", "qualys.yaml"],
    ]) {
      const github = await snippetOk(snippetArgs("github", "was", ["--webapp", "x", ...connection]));
      const run = record(list(parseYaml(github))[0]);
      expect(Object.keys(record(run.env))).toEqual(["QUALYS_USERNAME", "QUALYS_PASSWORD"]);
      expect(shellWords(String(run.run)).slice(5)).toEqual(["--webapp", "x", ...connection]);
      const azure = await snippetOk(snippetArgs("azure", "was", ["--webapp", "x", ...connection]));
      expect(Object.keys(record(record(list(parseYaml(azure))[0]).env))).not.toContain("QUALYS_PLATFORM");
      const jenkins = await snippetOk(snippetArgs("jenkins", "was", ["--webapp", "x", ...connection]));
      expect(jenkins).not.toContain("QUALYS_PLATFORM");
      const gitlab = await snippetOk(snippetArgs("gitlab", "was", ["--webapp", "x", ...connection]));
      expect(gitlab).not.toContain("QUALYS_PLATFORM");
    }
  });

  it("--auth oauth maps the OAuth client id and secret instead of user and password", async () => {
    const scanArgs = ["--webapp", "x", "--auth", "oauth"];
    const github = record(list(parseYaml(await snippetOk(snippetArgs("github", "was", scanArgs))))[0]);
    expect(record(github.env)).toEqual({
      QUALYS_CLIENT_ID: `\${{ secrets.QUALYS_CLIENT_ID }}`,
      QUALYS_CLIENT_SECRET: `\${{ secrets.QUALYS_CLIENT_SECRET }}`,
      QUALYS_PLATFORM: `\${{ vars.QUALYS_PLATFORM }}`,
    });
    const { lexed } = checkJenkins(await snippetOk(snippetArgs("jenkins", "was", scanArgs)));
    expect(lexed.strings).toEqual(expect.arrayContaining(["QUALYS_CLIENT_ID", "QUALYS_CLIENT_SECRET"]));
  });

  it("--credentials-id names the Jenkins credential, escaped for Groovy", async () => {
    const output = await snippetOk(["--credentials-id", "team's \\ qualys", ...snippetArgs("jenkins", "vm")]);
    checkJenkins(output, "team's \\ qualys");
    const other = await snippet(["--credentials-id", "x", ...snippetArgs("github", "vm")]);
    expect(other.code).toBe(EXIT.ok);
    expect(other.stderr).toMatch(/--credentials-id applies to --ci jenkins only/);
  });

  it("--report-dir moves every published path", async () => {
    const scanArgs = ["--webapp", "x", "--report-dir", "build/qualys/"];
    const [, upload, sarif] = list(parseYaml(await snippetOk(snippetArgs("github", "was", scanArgs)))).map(
      record,
    );
    expect(record(upload?.with).path).toBe("build/qualys");
    expect(record(sarif?.with).sarif_file).toBe("build/qualys/results.sarif");
    const [, junit, artifact] = list(parseYaml(await snippetOk(snippetArgs("azure", "was", scanArgs)))).map(
      record,
    );
    expect(record(junit?.inputs).testResultsFiles).toBe("build/qualys/junit.xml");
    expect(record(artifact?.inputs).targetPath).toBe("build/qualys");
    const gitlab = record(
      record(parseYaml(await snippetOk(snippetArgs("gitlab", "was", scanArgs))))["qualys-was-gate"],
    );
    expect(gitlab.artifacts).toMatchObject({
      paths: ["build/qualys/"],
      reports: { junit: "build/qualys/junit.xml" },
    });
    const { lexed } = checkJenkins(await snippetOk(snippetArgs("jenkins", "was", scanArgs)));
    expect(lexed.strings).toEqual(expect.arrayContaining(["build/qualys/junit.xml", "build/qualys/**"]));
  });

  it("--password-file passes through and --password-stdin warns; no password is ever printed", async () => {
    const file = await snippetOk(
      snippetArgs("gitlab", "was", ["--webapp", "x", "--password-file", "/run/pw"]),
    );
    expect(file).toContain("--password-file /run/pw");
    const stdin = await snippet(snippetArgs("github", "was", ["--webapp", "x", "--password-stdin"]));
    expect(stdin.code).toBe(EXIT.ok);
    expect(stdin.stderr).toMatch(/--password-stdin: a CI step has no password on its standard input/);
    expect(stdin.stdout).not.toContain(PASSWORD);
  });
});

describe("pipeline-snippet: usage errors exit 3 and name the input", () => {
  it.each([
    [["--ci", "bamboo", "--gate", "was"], /--ci: "bamboo" must be one of jenkins, azure, github, gitlab/],
    [["--ci", "github", "--gate", "pc"], /--gate: "pc" must be one of was, vm/],
    [["--gate", "was"], /--ci/],
    [["--ci", "github"], /--gate/],
    [snippetArgs("github", "was", ["--webap", "x"]), /--webap: not a flag of scan was/],
    [snippetArgs("github", "vm", ["--webapp", "x"]), /--webapp: not a flag of scan vm/],
    [snippetArgs("github", "was", ["--webapp"]), /--webapp needs a value/],
    [snippetArgs("github", "was", ["--webapp", "x", "stray"]), /"stray": scan was takes flags only/],
    [snippetArgs("github", "was", ["--no-wait=yes"]), /--no-wait takes no value/],
    [snippetArgs("github", "was", ["--scan-name", `\${{ github.sha }}`]), /GitHub Actions would evaluate/],
    [snippetArgs("azure", "was", ["--scan-name", "b$(Build.BuildId)"]), /Azure Pipelines would replace/],
    [snippetArgs("gitlab", "was", ["--webapp", "a\rb"]), /control character U\+000D/],
    [snippetArgs("jenkins", "was", ["--report-dir", "out dir"]), /--report-dir: "out dir"/],
  ])("%j", async (args, message) => {
    const run = await snippet(args);
    expect(run.code).toBe(EXIT.error);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
  });

  it("GitLab and Jenkins keep ${{ and $(…) as the literal text they are there", async () => {
    for (const ci of ["gitlab", "jenkins"] as const) {
      const scanArgs = ["--webapp", "x", "--scan-name", `\${{ a }} $(b)`];
      const output = await snippetOk(snippetArgs(ci, "was", scanArgs));
      expect(shellWords(scriptOf(ci, "was", output)).slice(5)).toEqual(scanArgs);
    }
  });
});
