/**
 * Connection settings, shared by every command through one loader: flags, then environment, then a config file
 * (`--config`, YAML or JSON). Every problem names its input; the password never comes from a flag value.
 */
import { readFileSync } from "node:fs";
import {
  type Auth,
  DEFAULT_CONCURRENCY,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  describeJsonSyntaxError,
  isSecretName,
  knownSecrets,
  PAGE_SIZE,
  PLATFORM_IDS,
  type QualysClientOptions,
  redact,
} from "@qualys-connector/client";
import type { Command } from "commander";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { UsageError } from "./exit-codes.js";
import { parseInteger } from "./parse/numbers.js";

export interface ConnectionFlags {
  config?: string;
  apiUrl?: string;
  platform?: string;
  gatewayUrl?: string;
  username?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
  auth?: string;
  proxy?: string;
  caFile?: string;
  insecure?: boolean;
  timeout?: string;
  maxRetries?: string;
  concurrency?: string;
  pageSize?: string;
}

/**
 * Add the connection flags to a command. Scan commands pass `requestTimeoutFlag: "--request-timeout"`, because
 * their `--timeout` is the scan's (as in Qualys' Azure DevOps WAS connector); the value still arrives as
 * `timeout` in ConnectionFlags.
 */
export function addConnectionOptions(
  command: Command,
  options: { requestTimeoutFlag?: "--timeout" | "--request-timeout" } = {},
): Command {
  const timeoutFlag = options.requestTimeoutFlag ?? "--timeout";
  return command
    .option("--config <file>", "connection settings file (YAML or JSON)")
    .option("--api-url <url>", "Qualys API server URL (env QUALYS_API_URL)")
    .option("--platform <id>", `Qualys platform: ${PLATFORM_IDS.join("|")} (env QUALYS_PLATFORM)`)
    .option("--gateway-url <url>", "gateway URL, when it cannot be derived (private cloud)")
    .option("--username <name>", "Qualys user (env QUALYS_USERNAME)")
    .option("--password-file <file>", "read the password from this file (or env QUALYS_PASSWORD)")
    .option("--password-stdin", "read the password from standard input")
    .option("--auth <mode>", "basic|session|oauth (OAuth: env QUALYS_CLIENT_ID, QUALYS_CLIENT_SECRET)")
    .option("--proxy <url>", "HTTP(S) proxy, credentials allowed (env HTTPS_PROXY, NO_PROXY)")
    .option("--ca-file <file>", "extra CA certificates (PEM)")
    .option("--insecure", "do not verify TLS certificates (warned; for lab use only)")
    .option(`${timeoutFlag} <seconds>`, `per request; 0 disables (default ${DEFAULT_TIMEOUT_MS / 1000})`)
    .option("--max-retries <n>", `retries of idempotent calls (default ${DEFAULT_RETRY.maxRetries})`)
    .option("--concurrency <n>", `calls in flight at once (default ${DEFAULT_CONCURRENCY})`)
    .option(
      "--page-size <n>",
      `records per page where paging applies (default ${PAGE_SIZE.default}, at most ${PAGE_SIZE.max})`,
    );
}

export type FileSettings = Partial<Record<string, unknown>>;

/**
 * The secret values this process has loaded (credentials and proxy, in every form they travel). A command loads
 * its settings deep inside its action, while its errors are printed by `runCli` and its gate outputs written by
 * `endGateRun`; both mask these values as the last step before text leaves the process. One CLI process runs one
 * command, so the set lives as long as the process.
 */
const loadedSecrets = new Set<string>();

/** The secret values loaded so far, for `redact`. */
export function outputSecrets(): string[] {
  return [...loadedSecrets];
}

/** Text about to leave the process (stderr, stdout), with every known secret and secret shape masked. */
export function redactOutput(text: string): string {
  return redact(text, outputSecrets());
}

/** What a YAML error code means, in words that never quote the file. */
function yamlProblem(code: string): string {
  const words: Record<string, string> = {
    BAD_INDENT: "wrong indentation",
    TAB_AS_INDENT: "a tab used for indentation",
    MISSING_CHAR: "a closing quote or bracket is missing",
    DUPLICATE_KEY: "a setting appears twice",
    BLOCK_AS_IMPLICIT_KEY: "a value holds another 'key: value' (quote it)",
    MULTILINE_IMPLICIT_KEY: "a key runs over several lines",
    UNEXPECTED_TOKEN: "unexpected text",
    BAD_DQ_ESCAPE: "an invalid escape in a double-quoted value",
    MULTIPLE_DOCS: "more than one document",
  };
  return words[code] ?? code.toLowerCase().replaceAll("_", " ");
}

/**
 * Parse a settings file. A syntax error names the file, the line and column and what is wrong, never the text:
 * the parsers' own messages quote the lines around the error, and those may hold the proxy's credentials or a
 * password that was put there by mistake.
 */
function parseConfigText(path: string, raw: string): unknown {
  if (path.endsWith(".json")) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UsageError(`--config: "${path}" is not valid JSON ${describeJsonSyntaxError(raw)}`);
    }
  }
  try {
    // logLevel "error": YAML warnings would otherwise go to stderr with the lines they are about.
    return parseYaml(raw, { logLevel: "error" });
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}: ${yamlProblem(error.code)}`
        : error instanceof YAMLParseError
          ? `: ${yamlProblem(error.code)}`
          : "";
    throw new UsageError(`--config: "${path}" is not valid YAML${where}`);
  }
}

/**
 * The keys a `--config` file may hold, each mapped to the setting it is: camelCase as the flags read, and the
 * snake_case names the Airbyte config uses (`api_url`, `page_size`, `request_timeout`, …). docs/configuration.md
 * lists them.
 */
export const CONFIG_KEYS: Readonly<Record<string, string>> = {
  apiUrl: "apiUrl",
  api_url: "apiUrl",
  platform: "platform",
  gatewayUrl: "gatewayUrl",
  gateway_url: "gatewayUrl",
  username: "username",
  auth: "auth",
  proxy: "proxy",
  caFile: "caFile",
  ca_file: "caFile",
  insecure: "insecure",
  timeout: "timeout",
  request_timeout: "timeout",
  maxRetries: "maxRetries",
  max_retries: "maxRetries",
  concurrency: "concurrency",
  pageSize: "pageSize",
  page_size: "pageSize",
  passwordFile: "passwordFile",
  password_file: "passwordFile",
};

/** A `--config` file's settings, by their camelCase names; every problem is a UsageError naming the file. */
export function readConfigFile(path: string): FileSettings {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--config: cannot read "${path}": ${(error as Error).message}`);
  }
  const doc = parseConfigText(path, raw);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new UsageError(`--config: "${path}" must hold a mapping of settings`);
  const problems: string[] = [];
  const settings: FileSettings = {};
  for (const [key, value] of Object.entries(doc)) {
    const name = Object.hasOwn(CONFIG_KEYS, key) ? CONFIG_KEYS[key] : undefined;
    if (isSecretName(key)) {
      if (typeof value === "string" && value !== "") loadedSecrets.add(value);
      problems.push(
        `--config: "${key}" must not be stored in the settings file; use QUALYS_PASSWORD / --password-file (or QUALYS_CLIENT_SECRET)`,
      );
    } else if (name === undefined) {
      problems.push(`--config: unknown setting "${key}" (known: ${Object.keys(CONFIG_KEYS).join(", ")})`);
    } else if (name in settings) {
      problems.push(`--config: "${key}" and another spelling of the same setting are both given; keep one`);
    } else {
      settings[name] = value;
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return settings;
}

function str(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number")
    throw new UsageError(`${name}: expected text, got ${typeof value}`);
  return String(value);
}

function integer(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  return parseInteger(
    value,
    name,
    min,
    max,
    () => `${name}: "${value}" must be a whole number from ${min} to ${max}`,
  );
}

/** A proxy from the environment, unless NO_PROXY covers the API host. */
function proxyFromEnv(env: NodeJS.ProcessEnv, apiUrl: string | undefined): string | undefined {
  const proxy = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (!proxy || !apiUrl) return proxy;
  const host = (() => {
    try {
      return new URL(apiUrl).hostname;
    } catch {
      return "";
    }
  })();
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  const bypass = noProxy.some(
    (rule) =>
      rule === "*" ||
      host === rule.replace(/^\./, "") ||
      host.endsWith(rule.startsWith(".") ? rule : `.${rule}`),
  );
  return bypass ? undefined : proxy;
}

export interface LoadedSettings {
  client: QualysClientOptions;
  /** Warnings to print (e.g. --insecure). */
  warnings: string[];
  /** Secret values to keep out of every output: the credentials' and the proxy's, in the forms they travel. */
  secrets: string[];
}

/** Resolve flags, environment and config file into client options. `readStdin` reads the password for --password-stdin. */
export function loadSettings(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  readStdin: () => string,
  /** `scan vm` defaults to VM session login (the VM gate); everything else to Basic. */
  defaults: { auth?: "basic" | "session" } = {},
): LoadedSettings {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const pick = (flag: string | undefined, envName: string, key: string) =>
    flag ?? env[envName] ?? str(file[key], `--config ${key}`);
  const apiUrl = pick(flags.apiUrl, "QUALYS_API_URL", "apiUrl");
  const platform = pick(flags.platform, "QUALYS_PLATFORM", "platform");
  const problems: string[] = [];
  if (apiUrl && platform) problems.push("--api-url and --platform: give one, not both");
  if (!apiUrl && !platform)
    problems.push("--api-url or --platform is required (or QUALYS_API_URL / QUALYS_PLATFORM)");
  const mode = (
    flags.auth ??
    env.QUALYS_AUTH ??
    str(file.auth, "--config auth") ??
    defaults.auth ??
    "basic"
  ).trim();
  if (!["basic", "session", "oauth"].includes(mode))
    problems.push(`--auth: "${mode}" must be basic, session or oauth`);

  let auth: Auth | undefined;
  if (mode === "oauth") {
    const clientId = env.QUALYS_CLIENT_ID;
    const clientSecret = env.QUALYS_CLIENT_SECRET;
    if (!clientId || !clientSecret)
      problems.push("--auth oauth: set QUALYS_CLIENT_ID and QUALYS_CLIENT_SECRET");
    else {
      auth = { kind: "oauth", clientId, clientSecret };
      loadedSecrets.add(clientSecret);
    }
  } else {
    const username = pick(flags.username, "QUALYS_USERNAME", "username");
    const passwordFile = flags.passwordFile ?? str(file.passwordFile, "--config passwordFile");
    let password: string | undefined;
    if (flags.passwordStdin) password = readStdin().replace(/\r?\n$/, "");
    else if (passwordFile) {
      try {
        password = readFileSync(passwordFile, "utf8").replace(/\r?\n$/, "");
      } catch (error) {
        problems.push(`--password-file: cannot read "${passwordFile}": ${(error as Error).message}`);
      }
    } else password = env.QUALYS_PASSWORD;
    if (!username) problems.push("--username is required (or QUALYS_USERNAME)");
    if (password === undefined || password === "")
      problems.push("a password is required: QUALYS_PASSWORD, --password-file FILE or --password-stdin");
    if (username && password) {
      auth = { kind: mode === "session" ? "session" : "basic", username, password };
      loadedSecrets.add(password);
    }
  }
  if (problems.length > 0 || !auth) throw new UsageError(problems.join("\n"));

  const warnings: string[] = [];
  const insecure = flags.insecure ?? file.insecure === true;
  if (insecure)
    warnings.push(
      "--insecure: TLS certificates are NOT verified; anyone on the path can read your credentials",
    );
  const timeoutSec = integer(
    flags.timeout ?? str(file.timeout, "--config timeout"),
    "--timeout (per request)",
    0,
    86_400,
    DEFAULT_TIMEOUT_MS / 1000,
  );
  const proxy = flags.proxy ?? str(file.proxy, "--config proxy") ?? proxyFromEnv(env, apiUrl);
  const caFile = flags.caFile ?? str(file.caFile, "--config caFile");
  const gatewayUrl = flags.gatewayUrl ?? str(file.gatewayUrl, "--config gatewayUrl");
  const client: QualysClientOptions = {
    auth,
    timeoutMs: timeoutSec * 1000,
    maxRetries: integer(
      flags.maxRetries ?? str(file.maxRetries, "--config maxRetries"),
      "--max-retries",
      0,
      100,
      DEFAULT_RETRY.maxRetries,
    ),
    concurrency: integer(
      flags.concurrency ?? str(file.concurrency, "--config concurrency"),
      "--concurrency",
      1,
      64,
      DEFAULT_CONCURRENCY,
    ),
    pageSize: integer(
      flags.pageSize ?? str(file.pageSize, "--config pageSize"),
      "--page-size",
      PAGE_SIZE.min,
      PAGE_SIZE.max,
      PAGE_SIZE.default,
    ),
    ...(apiUrl ? { apiUrl } : {}),
    ...(platform ? { platform } : {}),
    ...(gatewayUrl ? { gatewayUrl } : {}),
    ...(proxy ? { proxy } : {}),
    ...(caFile ? { caFile } : {}),
    ...(insecure ? { insecure } : {}),
  };
  const secrets = knownSecrets(client);
  for (const secret of secrets) loadedSecrets.add(secret);
  return { client, warnings, secrets };
}
