import {
  FAULT_KINDS,
  type FaultKind,
  SIM_CLIENT_ID,
  SIM_CLIENT_SECRET,
  type SimulatorOptions,
  startSimulator,
} from "@qualys-connector/simulator";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { parseDuration } from "../parse/duration.js";
import { parseInteger, parseNumber } from "../parse/numbers.js";

interface SimFlags {
  host: string;
  port: string;
  seed: string;
  webapps: string;
  findingsPerWebapp: string;
  hosts: string;
  kbSize: string;
  username: string;
  password: string;
  scanDuration: string;
  latency: string;
  rateLimit: string;
  concurrencyLimit: string;
  limitsOnWas: boolean;
  faultRate: string;
  faults: string;
  cleanResultsStatus: string;
}

/** Turn `sim` flags into simulator options, naming the flag in every error. */
export function simOptionsFromFlags(flags: SimFlags): SimulatorOptions {
  const rate = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(flags.rateLimit);
  if (!rate?.[1] || !rate[2]) {
    throw new UsageError(`--rate-limit: "${flags.rateLimit}" is not CALLS/SECONDS, e.g. 300/3600`);
  }
  const calls = parseInteger(rate[1], "--rate-limit calls", 1);
  const windowSec = parseInteger(rate[2], "--rate-limit seconds", 1);
  const faults = flags.faults
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  for (const kind of faults) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--faults: unknown fault kind "${kind}"; known kinds: ${FAULT_KINDS.join(", ")}`);
    }
  }
  const clean = flags.cleanResultsStatus.trim().toUpperCase();
  if (clean !== "FINISHED" && clean !== "SUCCESSFUL") {
    throw new UsageError(
      `--clean-results-status: "${flags.cleanResultsStatus}" must be FINISHED or SUCCESSFUL`,
    );
  }
  if (flags.username.includes(":")) throw new UsageError("--username: must not contain ':'");
  if (flags.password.length === 0) throw new UsageError("--password: must not be empty");
  return {
    host: flags.host,
    port: parseInteger(flags.port, "--port", 0, 65535),
    seed: parseInteger(flags.seed, "--seed", 0),
    webapps: parseInteger(flags.webapps, "--webapps", 0, 1_000_000),
    findingsPerWebapp: parseInteger(flags.findingsPerWebapp, "--findings-per-webapp", 0, 100_000),
    hosts: parseInteger(flags.hosts, "--hosts", 0, 1_000_000),
    kbSize: parseInteger(flags.kbSize, "--kb-size", 0, 1_000_000),
    username: flags.username,
    password: flags.password,
    scanDurationMs: parseDuration(flags.scanDuration, "--scan-duration"),
    latencyMs: parseDuration(flags.latency, "--latency"),
    rateLimit: { calls, windowSec },
    concurrencyLimit: parseInteger(flags.concurrencyLimit, "--concurrency-limit", 1),
    limitsOnWas: flags.limitsOnWas,
    faultRate: parseNumber(flags.faultRate, "--fault-rate", 0, 1),
    faults: faults.length > 0 ? (faults as FaultKind[]) : FAULT_KINDS,
    cleanResultsStatus: clean,
  };
}

export function registerSimCommand(program: Command): Command {
  return program
    .command("sim")
    .description(
      "Run the Qualys API simulator (WAS v3, VM v2, KnowledgeBase, AM, gateway auth) until SIGINT or SIGTERM.\n" +
        "The first line on stdout is 'Qualys API simulator listening on http://HOST:PORT'.",
    )
    .option("--host <address>", "interface to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on; 0 picks a free one", "0")
    .option("--seed <n>", "seed of the generated subscription", "1")
    .option("--webapps <n>", "generated web apps, besides the scenario web apps", "20")
    .option("--findings-per-webapp <n>", "findings per generated web app", "25")
    .option("--hosts <n>", "generated VM hosts, besides the scenario hosts", "10")
    .option("--kb-size <n>", "KnowledgeBase entries", "2000")
    .option("--username <name>", "the simulated subscription's main user", "sim_user")
    .option(
      "--password <password>",
      "that user's password (a simulator credential, not a real one)",
      "sim-password",
    )
    .option("--scan-duration <duration>", "how long a scan runs, e.g. 6s, 2m", "6s")
    .option(
      "--latency <duration>",
      "response time of every API call (answers leave no sooner), e.g. 200ms",
      "0ms",
    )
    .option("--rate-limit <calls/seconds>", "VM/KB API rate limit", "300/3600")
    .option("--concurrency-limit <n>", "VM/KB API concurrency limit", "2")
    .option("--limits-on-was", "apply the same limits to WAS calls", false)
    .option("--fault-rate <r>", "probability (0 to 1) that an API call gets a fault", "0")
    .option("--faults <kinds>", `fault kinds to draw from: ${FAULT_KINDS.join(",")}`, FAULT_KINDS.join(","))
    .option(
      "--clean-results-status <status>",
      "resultsStatus of a clean WAS scan: FINISHED or SUCCESSFUL",
      "FINISHED",
    )
    .action(async (flags: SimFlags) => {
      const options = simOptionsFromFlags(flags);
      const sim = await startSimulator(options);
      // Handlers first, then the listening line: a supervisor may signal as soon as it reads that line.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          sim.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.stdout.write(`Qualys API simulator listening on ${sim.url}\n`);
      process.stdout.write(
        `Default credentials: username ${sim.credentials.username}, password ${sim.credentials.password}\n`,
      );
      process.stdout.write(
        `OAuth client: id ${SIM_CLIENT_ID}, secret ${SIM_CLIENT_SECRET}; other users: sim_was_only, sim_vm_only, sim_no_api, sim_expired (same password)\n` +
          `Control API: ${sim.url}/__sim/ (reset, scan-cycle, faults, stats, ground-truth). Stop with Ctrl-C.\n`,
      );
      await stopped;
    });
}
