import { readFileSync } from "node:fs";
import {
  createDispatcher,
  createQualysClient,
  endpointsFromApiUrl,
  excerpt,
  type HttpResponse,
  parseXml,
  platformEndpoints,
  QualysAuthError,
  type QualysClient,
  QualysError,
  QualysParseError,
  redact,
  type Transport,
  undiciTransport,
} from "@qualys-connector/client";
import { logSafe, logSafeJson } from "@qualys-connector/gate";
import type { Command } from "commander";
import { CommandExit, EXIT } from "../exit-codes.js";
import { logLine } from "../log.js";
import { messageInFlags } from "../option-flags.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings } from "../settings.js";

/** A check passed, failed, or could not be made (and then it says why); only "passed" is ever shown as ✓. */
export type CheckStatus = "passed" | "failed" | "not checked";

export interface Check {
  name: string;
  status: CheckStatus;
  /** True only when the check was made and passed. */
  ok: boolean;
  detail: string;
  /** What to do about a failure. */
  remedy?: string;
}

/** One HTTP answer doctor saw: any of them (the token call included) may carry the server's Date. */
export interface ObservedAnswer {
  url: string;
  status: number;
  date?: string;
  location?: string;
}

/** What doctor knows about the way it talks to the server, to say what it actually observed. */
export interface DoctorContext {
  /** Every HTTP answer, in order (see `observingTransport`). */
  answers: readonly ObservedAnswer[];
  /** The proxy in use, if any. */
  proxy?: string;
  insecure?: boolean;
}

/** Wrap a transport so that every answer's status, Date and Location headers are recorded. */
export function observingTransport(base: Transport, answers: ObservedAnswer[]): Transport {
  return async (req) => {
    const response = await base(req);
    answers.push({
      url: req.url,
      status: response.status,
      ...(response.headers.date ? { date: response.headers.date } : {}),
      ...(response.headers.location ? { location: response.headers.location } : {}),
    });
    return response;
  };
}

/** Clock skew beyond this breaks token and date filters in practice. */
const MAX_SKEW_SEC = 300;

/** Checks in the order they run; those after a blocking failure are reported as not checked. */
const CHECK_NAMES = [
  "reachability",
  "credentials",
  "WAS access",
  "VM access",
  "KnowledgeBase access",
  "API limits",
  "clock",
] as const;

const PARSE_REMEDY =
  "the server answered, but not as the Qualys API does: check that --api-url is the API server (qualysapi.…, not the portal or a login page) and that no proxy or gateway rewrites or cuts the answers";
const REDIRECT_REMEDY =
  "--api-url must be the Qualys API server URL itself (e.g. https://qualysapi.qualys.com); a redirect usually means the portal URL, plain http where https is needed, or a proxy login page";

function describe(error: unknown, secrets: readonly string[]): string {
  return redact(messageInFlags(error), secrets);
}

const passed = (name: string, detail: string): Check => ({ name, status: "passed", ok: true, detail });
const failed = (name: string, detail: string, remedy: string): Check => ({
  name,
  status: "failed",
  ok: false,
  detail,
  remedy,
});
const notChecked = (name: string, why: string): Check => ({
  name,
  status: "not checked",
  ok: false,
  detail: why,
});

/** A redirect the client does not follow: the answer is not the API's. */
function redirectOf(answers: readonly ObservedAnswer[]): ObservedAnswer | undefined {
  return answers.find((a) => a.status >= 300 && a.status < 400);
}

/** A failure of a call that reached the server, with the remedy its kind calls for. */
function failure(
  name: string,
  error: unknown,
  secrets: readonly string[],
  remedy: string,
  answers: readonly ObservedAnswer[],
): Check {
  const redirect = redirectOf(answers);
  if (redirect)
    return failed(
      name,
      `the server answered HTTP ${redirect.status}, a redirect${redirect.location ? ` to ${redact(redirect.location, secrets)}` : ""}`,
      REDIRECT_REMEDY,
    );
  if (error instanceof QualysParseError) return failed(name, describe(error, secrets), PARSE_REMEDY);
  return failed(name, describe(error, secrets), remedy);
}

/** Read a v2 answer and make sure it is the document the call returns, not an empty or foreign body. */
function expectRoot(root: string, path: string, client: QualysClient) {
  return (response: HttpResponse) => {
    const info = client.core.info("POST", path);
    const doc = parseXml(response.body, info);
    if (!(root in doc))
      throw new QualysParseError(`expected a ${root} document`, info, excerpt(response.body));
    return doc;
  };
}

/** Any answer's Date will do: the token call and Bearer answers carry one too, and so does a refusal. */
function clockCheck(answers: readonly ObservedAnswer[]): Check {
  const dated = [...answers].reverse().find((a) => a.date !== undefined && !Number.isNaN(Date.parse(a.date)));
  if (!dated?.date)
    return notChecked("clock", "no answer carried a Date header, so the skew was not measured");
  const skew = Math.round((Date.now() - Date.parse(dated.date)) / 1000);
  const detail = `local clock ${skew >= 0 ? "+" : ""}${skew} s against the server`;
  return Math.abs(skew) <= MAX_SKEW_SEC
    ? passed("clock", detail)
    : failed(
        "clock",
        detail,
        "synchronize this machine's clock (NTP); dates in filters and token expiry depend on it",
      );
}

/** Run every check against one client; never throws for a failed check. */
export async function runDoctor(
  client: QualysClient,
  secrets: readonly string[],
  context: DoctorContext = { answers: [] },
): Promise<Check[]> {
  const checks: Check[] = [];
  const { endpoints } = client;
  const { answers } = context;
  checks.push(
    passed(
      "API server",
      `${endpoints.api} (${endpoints.platform === "private" ? "private cloud or local" : `platform ${endpoints.platform}`}), gateway ${endpoints.gateway}`,
    ),
  );
  const skipRest = (why: string) => {
    for (const name of CHECK_NAMES)
      if (!checks.some((c) => c.name === name))
        checks.push(name === "clock" ? clockCheck(answers) : notChecked(name, why));
    return checks;
  };

  // Reachability: any HTTP answer from the API server will do, even a refusal, but not a redirect.
  let aboutError: unknown;
  try {
    await client.core.call({ family: "msp", method: "GET", path: "/msp/about.php", idempotent: true });
  } catch (error) {
    aboutError = error;
  }
  const reachedServer =
    aboutError === undefined ||
    (aboutError instanceof QualysError &&
      ["auth", "http", "api", "parse", "rate-limit"].includes(aboutError.kind));
  const redirect = redirectOf(answers);
  if (!reachedServer) {
    checks.push(
      failed(
        "reachability",
        describe(aboutError, secrets),
        "check --api-url/--platform, the proxy (--proxy, HTTPS_PROXY, NO_PROXY), --ca-file, and outbound firewall rules",
      ),
    );
    return skipRest("the API server could not be reached");
  }
  if (redirect) {
    checks.push(failure("reachability", aboutError, secrets, REDIRECT_REMEDY, answers));
    return skipRest("the API server answered with a redirect");
  }
  const aboutAnswer = answers.find((a) => a.url.includes("/msp/about.php"));
  const https = endpoints.api.startsWith("https:");
  const proxyHost = (() => {
    if (!context.proxy) return undefined;
    try {
      return new URL(context.proxy).host;
    } catch {
      return "the configured proxy";
    }
  })();
  checks.push(
    passed(
      "reachability",
      [
        aboutAnswer
          ? `the API server answered (HTTP ${aboutAnswer.status})`
          : `the ${answers[0]?.url.includes("/auth") ? "gateway" : "server"} answered${answers[0] ? ` (HTTP ${answers[0].status})` : ""}`,
        https
          ? `over https, certificate ${context.insecure ? "NOT verified (--insecure)" : "verified"}`
          : "over plain http (not encrypted)",
        proxyHost ? `through the proxy ${proxyHost}` : "directly (no proxy)",
      ].join(", "),
    ),
  );

  // Credentials: the portal version answers INVALID_CREDENTIALS with HTTP 200 when they are refused. The v2
  // about.php call above tells an expired account (code 2001) apart, which WAS reports as bad credentials.
  const expired =
    aboutError instanceof QualysAuthError && aboutError.reason === "expired" ? aboutError : undefined;
  try {
    const version = await client.portal.version();
    checks.push(
      passed(
        "credentials",
        `accepted (WAS ${version["WAS-VERSION"] ?? "?"}, VM ${version["WEB-VERSION"] ?? "?"})`,
      ),
    );
  } catch (error) {
    const refused = error instanceof QualysAuthError && error.reason !== "unauthorized";
    if (expired || (error instanceof QualysAuthError && error.reason === "expired")) {
      checks.push(
        failed(
          "credentials",
          "the Qualys account has expired or is deactivated (the password itself was accepted)",
          "ask your Qualys subscription manager to reactivate the account (Users > Edit user), or use another account",
        ),
      );
      return skipRest("the account has expired");
    }
    if (refused) {
      checks.push(
        failed(
          "credentials",
          "Qualys refused the credentials",
          client.core.auth.auth.kind === "oauth"
            ? "check QUALYS_CLIENT_ID and QUALYS_CLIENT_SECRET (an OAuth client of this subscription, with API access), and --gateway-url for a private cloud"
            : "check the username and password (QUALYS_PASSWORD / --password-file); a new user must log in to the UI once to reset the password; the account must have API access",
        ),
      );
      return skipRest("the credentials were refused");
    }
    checks.push(failure("credentials", error, secrets, "see the error above", answers));
  }

  const access = async (name: string, module: string, probe: () => Promise<unknown>, remedy: string) => {
    const before = answers.length;
    try {
      await probe();
      checks.push(passed(name, `${module} API answered with this user`));
    } catch (error) {
      if (error instanceof QualysAuthError)
        checks.push(
          failed(
            name,
            `the user may not use the ${error.module ?? module} API: ${describe(error, secrets)}`,
            remedy,
          ),
        );
      else checks.push(failure(name, error, secrets, "see the error above", answers.slice(before)));
    }
  };
  await access(
    "WAS access",
    "WAS",
    () => client.was.webApps.count(),
    "give the user the WAS module and a role with API access, and a scope that includes the web applications to scan",
  );
  const scanPath = "/api/2.0/fo/scan/";
  await access(
    "VM access",
    "VM",
    () =>
      client.core.callAndRead(
        {
          family: "v2",
          method: "POST",
          path: scanPath,
          params: { action: "list", show_last: "1" },
          idempotent: true,
        },
        expectRoot("SCAN_LIST_OUTPUT", scanPath, client),
      ),
    "give the user the VM module with API access (Users > Edit user > User Role: GUI and API)",
  );
  const kbPath = "/api/2.0/fo/knowledge_base/vuln/";
  await access(
    "KnowledgeBase access",
    "KnowledgeBase",
    () =>
      client.core.callAndRead(
        {
          family: "v2",
          method: "POST",
          path: kbPath,
          params: { action: "list", ids: "6", details: "None" },
          idempotent: true,
        },
        expectRoot("KNOWLEDGE_BASE_VULN_LIST_OUTPUT", kbPath, client),
      ),
    "give the user KnowledgeBase access (part of VM) with API access",
  );

  const observed = [...client.core.limiter.observed.entries()];
  const [, limits] = observed[observed.length - 1] ?? ["", undefined];
  if (limits) {
    checks.push({
      ...(limits.remaining === 0
        ? failed(
            "API limits",
            "",
            `wait ${limits.toWaitSec ?? "?"} s, or ask Qualys for a higher API service level`,
          )
        : passed("API limits", "")),
      detail: `${limits.limit ?? "?"} calls per ${limits.windowSec ?? "?"} s, ${limits.remaining ?? "?"} left, concurrency ${limits.concurrencyLimit ?? "?"}`,
    });
  } else {
    checks.push(notChecked("API limits", "no answer carried Qualys limit headers (X-RateLimit-*)"));
  }

  checks.push(clockCheck(answers));
  return checks;
}

const MARK: Record<CheckStatus, string> = { passed: "✓", failed: "✗", "not checked": "-" };

/** The checks as text lines; a detail may quote a server's answer, so each line is log-safe. */
export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map(
      (c) =>
        `${logSafe(`${MARK[c.status]} ${c.name}: ${c.status === "not checked" ? `not checked (${c.detail})` : c.detail}`)}${c.status === "failed" && c.remedy ? `\n    ${logSafe(`remedy: ${c.remedy}`)}` : ""}`,
    )
    .join("\n");
}

export function registerDoctorCommand(program: Command): Command {
  const command = program
    .command("doctor")
    .description(
      "Check the connection to Qualys: URL, TLS and proxy, credentials, WAS/VM/KB access, API limits, clock. Each check passes (✓), fails (✗) or could not be made (-, with the reason). Exit 0 when none failed, 3 otherwise.",
    )
    .option("--format <format>", "text or json", "text");
  addConnectionOptions(command);
  return command.action(async (flags: ConnectionFlags & { format: string }) => {
    if (flags.format !== "text" && flags.format !== "json") {
      throw new CommandExit(EXIT.error, `--format: "${flags.format}" must be text or json`);
    }
    const settings = loadSettings(flags, process.env, () => readFileSync(0, "utf8"));
    for (const warning of settings.warnings) logLine(`warning: ${warning}`);
    // Resolve the URL first so a typo is reported as the first check, not as a crash.
    try {
      if (settings.client.apiUrl) endpointsFromApiUrl(settings.client.apiUrl);
      else platformEndpoints(settings.client.platform ?? "");
    } catch (error) {
      const check = failed("API server", messageInFlags(error), "give a qualysapi URL or a platform id");
      process.stdout.write(
        flags.format === "json"
          ? `${logSafeJson(JSON.stringify({ ok: false, checks: [check] }, null, 2))}\n`
          : `${formatChecks([check])}\n`,
      );
      throw new CommandExit(EXIT.error);
    }
    const answers: ObservedAnswer[] = [];
    const client = createQualysClient({
      ...settings.client,
      maxRetries: Math.min(settings.client.maxRetries ?? 5, 2),
      transport: observingTransport(undiciTransport(createDispatcher(settings.client)), answers),
    });
    let checks: Check[];
    try {
      checks = await runDoctor(client, settings.secrets, {
        answers,
        ...(settings.client.proxy ? { proxy: settings.client.proxy } : {}),
        ...(settings.client.insecure ? { insecure: true } : {}),
      });
    } finally {
      await client.close().catch(() => undefined);
    }
    const ok = checks.every((c) => c.status !== "failed");
    process.stdout.write(
      flags.format === "json"
        ? `${logSafeJson(JSON.stringify({ ok, checks }, null, 2))}\n`
        : `${formatChecks(checks)}\n`,
    );
    if (!ok) throw new CommandExit(EXIT.error);
  });
}
