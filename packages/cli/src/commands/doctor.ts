import { readFileSync } from "node:fs";
import {
  createQualysClient,
  endpointsFromApiUrl,
  type HttpResponse,
  platformEndpoints,
  QualysAuthError,
  type QualysClient,
  QualysError,
  redact,
} from "@qualys-connector/client";
import { logSafe, logSafeJson } from "@qualys-connector/gate";
import type { Command } from "commander";
import { CommandExit, EXIT } from "../exit-codes.js";
import { logLine } from "../log.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings } from "../settings.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure. */
  remedy?: string;
}

/** Clock skew beyond this breaks token and date filters in practice. */
const MAX_SKEW_SEC = 300;

function describe(error: unknown, secrets: readonly string[]): string {
  return redact(error instanceof Error ? error.message : String(error), secrets);
}

/** Run every check against one client; never throws for a failed check. */
export async function runDoctor(client: QualysClient, secrets: readonly string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const { endpoints } = client;
  checks.push({
    name: "API server",
    ok: true,
    detail: `${endpoints.api} (${endpoints.platform === "private" ? "private cloud or local" : `platform ${endpoints.platform}`}), gateway ${endpoints.gateway}`,
  });

  // Reachability, TLS and proxy: any HTTP answer will do, even a refusal.
  let reached: HttpResponse | undefined;
  try {
    reached = await client.core.call({
      family: "msp",
      method: "GET",
      path: "/msp/about.php",
      idempotent: true,
    });
    checks.push({
      name: "reachability",
      ok: true,
      detail: "the API server answered over TLS/proxy as configured",
    });
  } catch (error) {
    const reachedServer =
      error instanceof QualysError &&
      (error.kind === "auth" || error.kind === "http" || error.kind === "api");
    checks.push(
      reachedServer
        ? { name: "reachability", ok: true, detail: "the API server answered" }
        : {
            name: "reachability",
            ok: false,
            detail: describe(error, secrets),
            remedy:
              "check --api-url/--platform, the proxy (--proxy, HTTPS_PROXY, NO_PROXY), --ca-file, and outbound firewall rules",
          },
    );
    if (!reachedServer) return checks;
  }

  // Credentials: the portal version answers INVALID_CREDENTIALS with HTTP 200 when they are refused.
  try {
    const version = await client.portal.version();
    checks.push({
      name: "credentials",
      ok: true,
      detail: `accepted (WAS ${version["WAS-VERSION"] ?? "?"}, VM ${version["WEB-VERSION"] ?? "?"})`,
    });
  } catch (error) {
    const refused = error instanceof QualysAuthError && error.reason !== "unauthorized";
    checks.push({
      name: "credentials",
      ok: false,
      detail: refused ? "Qualys refused the credentials" : describe(error, secrets),
      remedy: refused
        ? "check the username and password (QUALYS_PASSWORD / --password-file); a new user must log in to the UI once to reset the password; the account must have API access"
        : "see the error above",
    });
    if (refused) return checks;
  }

  const access = async (name: string, module: string, probe: () => Promise<unknown>, remedy: string) => {
    try {
      await probe();
      checks.push({ name, ok: true, detail: `${module} API reachable with this user` });
    } catch (error) {
      const denied = error instanceof QualysAuthError;
      checks.push({
        name,
        ok: false,
        detail: denied
          ? `the user may not use the ${error.module ?? module} API: ${describe(error, secrets)}`
          : describe(error, secrets),
        remedy,
      });
    }
  };
  await access(
    "WAS access",
    "WAS",
    () => client.was.webApps.count(),
    "give the user the WAS module and a role with API access, and a scope that includes the web applications to scan (seed 000 troubleshooting)",
  );
  await access(
    "VM access",
    "VM",
    () =>
      client.core.call({
        family: "v2",
        method: "POST",
        path: "/api/2.0/fo/scan/",
        params: { action: "list", show_last: "1" },
        idempotent: true,
      }),
    "give the user the VM module with API access (Users > Edit user > User Role: GUI and API)",
  );
  await access(
    "KnowledgeBase access",
    "KnowledgeBase",
    async () => {
      for await (const _ of client.kb.list({ ids: [6], details: "None" })) break;
    },
    "give the user KnowledgeBase access (part of VM) with API access",
  );

  const observed = [...client.core.limiter.observed.entries()];
  if (observed.length > 0) {
    const [, limits] = observed[observed.length - 1] ?? ["", {}];
    checks.push({
      name: "API limits",
      ok: limits.remaining === undefined || limits.remaining > 0,
      detail: `${limits.limit ?? "?"} calls per ${limits.windowSec ?? "?"} s, ${limits.remaining ?? "?"} left, concurrency ${limits.concurrencyLimit ?? "?"}`,
      ...(limits.remaining === 0
        ? { remedy: `wait ${limits.toWaitSec ?? "?"} s, or ask Qualys for a higher API service level` }
        : {}),
    });
  } else {
    checks.push({ name: "API limits", ok: true, detail: "no limit headers reported" });
  }

  const date = reached?.headers.date;
  if (date && !Number.isNaN(Date.parse(date))) {
    const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
    checks.push({
      name: "clock",
      ok: Math.abs(skew) <= MAX_SKEW_SEC,
      detail: `local clock ${skew >= 0 ? "+" : ""}${skew} s against the server`,
      ...(Math.abs(skew) > MAX_SKEW_SEC
        ? { remedy: "synchronize this machine's clock (NTP); dates in filters and token expiry depend on it" }
        : {}),
    });
  } else {
    checks.push({ name: "clock", ok: true, detail: "skew not measured (no answer with a Date header)" });
  }
  return checks;
}

/** The checks as text lines; a detail may quote a server's answer, so each line is log-safe. */
export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map(
      (c) =>
        `${logSafe(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`)}${!c.ok && c.remedy ? `\n    ${logSafe(`remedy: ${c.remedy}`)}` : ""}`,
    )
    .join("\n");
}

export function registerDoctorCommand(program: Command): Command {
  const command = program
    .command("doctor")
    .description(
      "Check the connection to Qualys: URL, TLS and proxy, credentials, WAS/VM/KB access, API limits, clock. Exit 0 when all pass, 3 otherwise.",
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
      const check: Check = {
        name: "API server",
        ok: false,
        detail: (error as Error).message,
        remedy: "give a qualysapi URL or a platform id",
      };
      process.stdout.write(
        flags.format === "json"
          ? `${logSafeJson(JSON.stringify({ ok: false, checks: [check] }, null, 2))}\n`
          : `${formatChecks([check])}\n`,
      );
      throw new CommandExit(EXIT.error);
    }
    const client = createQualysClient({
      ...settings.client,
      maxRetries: Math.min(settings.client.maxRetries ?? 5, 2),
    });
    let checks: Check[];
    try {
      checks = await runDoctor(client, settings.secrets);
    } finally {
      await client.close().catch(() => undefined);
    }
    const ok = checks.every((c) => c.ok);
    process.stdout.write(
      flags.format === "json"
        ? `${logSafeJson(JSON.stringify({ ok, checks }, null, 2))}\n`
        : `${formatChecks(checks)}\n`,
    );
    if (!ok) throw new CommandExit(EXIT.error);
  });
}
