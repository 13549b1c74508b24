import { spawn } from "node:child_process";
import { isLoopback, startDashboard } from "@qualys-connector/dashboard";
import { redactLocation, StoreLocationError } from "@qualys-connector/store";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { logErrorLine, printLine } from "../log.js";
import { flagOf } from "../option-flags.js";
import { parseInteger } from "../parse/numbers.js";
import { DEFAULT_DB } from "./sync.js";

interface DashboardFlags {
  db?: string;
  host: string;
  port: string;
  token?: string;
  open: boolean;
}

/** Open `url` in the desktop's browser; a machine without one just does not open it. */
function openBrowser(url: string): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(command, [url], { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener: the address is printed anyway.
  }
}

/**
 * `qualys-connector dashboard`: the store in a browser, read-only. On loopback by default; any other address
 * needs a token (--token, QUALYS_DASHBOARD_TOKEN, or one generated and printed once).
 */
export function registerDashboardCommand(program: Command): Command {
  return program
    .command("dashboard")
    .description(
      "Serve a read-only dashboard of the store (applications, findings, finding details, exports) until Ctrl-C.\n" +
        "The first line on stdout is 'Qualys Connector dashboard on http://HOST:PORT/'.",
    )
    .option("--db <location>", `sqlite:PATH or postgres://… (env QUALYS_DB; default ${DEFAULT_DB})`)
    .option(
      "--host <address>",
      "interface to listen on; any other than loopback requires a token",
      "127.0.0.1",
    )
    .option("--port <n>", "port to listen on; 0 picks a free one", "8080")
    .option(
      "--token <token>",
      "token required off loopback (env QUALYS_DASHBOARD_TOKEN; generated and printed once when absent)",
    )
    .option("--open", "open the dashboard in the desktop's browser", false)
    .action(async (flags: DashboardFlags) => {
      const location = flags.db ?? process.env.QUALYS_DB ?? DEFAULT_DB;
      const port = parseInteger(flags.port, "--port", 0, 65535);
      const token = flags.token ?? (process.env.QUALYS_DASHBOARD_TOKEN || undefined);
      let running: Awaited<ReturnType<typeof startDashboard>>;
      try {
        running = await startDashboard({
          location,
          host: flags.host,
          port,
          token,
          onError: (error) => logErrorLine(`dashboard: ${(error as Error).message ?? String(error)}`),
        });
      } catch (error) {
        if (error instanceof StoreLocationError) throw new UsageError(error.messageWith(flagOf));
        if (error instanceof RangeError) throw new UsageError(`--token: ${error.message}`);
        if ((error as { code?: unknown }).code === "EADDRINUSE")
          throw new UsageError(`--port ${port}: already in use (choose another, or 0 for a free one)`);
        throw error;
      }
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          running.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.stdout.write(`Qualys Connector dashboard on ${running.url}\n`);
      printLine(`Read-only over ${redactLocation(location)}. Stop with Ctrl-C.`);
      let opened = running.url;
      if (running.token !== undefined) {
        // The one time the token is shown: the first visit with it sets a cookie, later pages need no token.
        opened = `${running.url}?token=${running.token}`;
        if (running.tokenGenerated) process.stdout.write(`Open ${opened} (the token is shown only now)\n`);
        else
          process.stdout.write(
            "Open the address with ?token=<your token> once; a cookie carries it after.\n",
          );
      }
      if (!isLoopback(flags.host))
        process.stdout.write(`Listening on ${flags.host}: every request needs the token.\n`);
      if (flags.open) openBrowser(opened);
      await stopped;
    });
}
