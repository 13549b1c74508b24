/**
 * `qualys-connector airbyte spec|check|discover|read`: the WAS streams as an Airbyte source, following the
 * protocol's CLI convention (`--config`, `--catalog`, `--state` JSON files). Every line on stdout is a protocol
 * message; problems are TRACE or CONNECTION_STATUS messages there too, and only the exit code comes from here.
 */

import { type AirbyteCommand, type AirbyteFiles, runAirbyte } from "@qualys-connector/sync";
import type { Command } from "commander";
import { CommandExit, EXIT } from "../exit-codes.js";

type Flags = { config?: string; catalog?: string; state?: string };

const COMMANDS: readonly { name: AirbyteCommand; description: string; files: readonly (keyof Flags)[] }[] = [
  { name: "spec", description: "Print the connector specification (the config's JSON Schema).", files: [] },
  {
    name: "check",
    description: "Check the credentials and WAS access; prints a CONNECTION_STATUS.",
    files: ["config"],
  },
  {
    name: "discover",
    description: "Print the catalog: webapps, findings and definitions, with their record schemas.",
    files: ["config"],
  },
  {
    name: "read",
    description: "Read the streams of a configured catalog: RECORD, STATE, LOG and TRACE messages.",
    files: ["config", "catalog", "state"],
  },
];

const FILE_HELP: Readonly<Record<keyof Flags, string>> = {
  config: "connector config (JSON, as `spec` describes it)",
  catalog: "configured catalog (JSON ConfiguredAirbyteCatalog)",
  state: "state from the previous read (JSON list of STATE messages)",
};

export function registerAirbyteCommand(program: Command): void {
  const airbyte = program
    .command("airbyte")
    .description("Run as an Airbyte source (protocol messages on stdout, one per line)");
  for (const { name, description, files } of COMMANDS) {
    const command = airbyte.command(name).description(description);
    // Checked by runAirbyte, so a missing file is reported as a protocol message the platform shows.
    for (const file of files) command.option(`--${file} <file>`, FILE_HELP[file]);
    command.action(async (flags: Flags) => {
      const paths: AirbyteFiles = { config: flags.config, catalog: flags.catalog, state: flags.state };
      const outcome = await runAirbyte(name, paths, {
        write: (line) => {
          process.stdout.write(`${line}\n`);
        },
        now: Date.now,
      });
      // The reason is already on stdout as a TRACE ERROR; nothing more to print.
      if (outcome === "failed") throw new CommandExit(EXIT.error);
    });
  }
}
