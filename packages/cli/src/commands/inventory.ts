/**
 * Inventory commands: find the ids a gate needs (Qualys' CI connectors fill their drop-downs with them).
 */

import { readFileSync } from "node:fs";
import {
  createQualysClient,
  int,
  type QualysClient,
  text,
  toKbVuln,
  toWebAppSummary,
  type XmlNode,
} from "@qualys-connector/client";
import type { Command } from "commander";
import { printClientWarnings } from "../client-warnings.js";
import { UsageError } from "../exit-codes.js";
import { logLine } from "../log.js";
import { type Column, parseFormat, render } from "../output.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings } from "../settings.js";

type Flags = ConnectionFlags & { format: string };

const MAX_QID = 999_999_999;

async function withClient<T>(flags: Flags, run: (client: QualysClient) => Promise<T>): Promise<T> {
  const settings = loadSettings(flags, process.env, () => readFileSync(0, "utf8"));
  for (const warning of settings.warnings) logLine(`warning: ${warning}`);
  const client = createQualysClient({ ...settings.client, log: printClientWarnings });
  try {
    return await run(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function collect(iterable: AsyncIterable<XmlNode>): Promise<XmlNode[]> {
  const out: XmlNode[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function listCommand<T>(
  parent: Command,
  name: string,
  description: string,
  fetch: (client: QualysClient, options: Record<string, unknown>) => Promise<T[]>,
  columns: Column<T>[],
  extra?: (command: Command) => Command,
): Command {
  let command = parent
    .command(name)
    .description(description)
    .option("--format <format>", "table, json or csv", "table");
  if (extra) command = extra(command);
  addConnectionOptions(command);
  return command.action(async (flags: Flags & Record<string, unknown>) => {
    const format = parseFormat(flags.format);
    const rows = await withClient(flags, (client) => fetch(client, flags));
    process.stdout.write(render(rows, columns, format, process.stdout.columns ?? 120));
  });
}

/** Register `was`, `vm` and `kb`; returns them (they only read, so they end with exit 0 or 3). */
export function registerInventoryCommands(program: Command): Command[] {
  const was = program.command("was").description("Qualys WAS: inventory");
  const webapps = was.command("webapps").description("WAS web applications");
  listCommand(
    webapps,
    "list",
    "List web applications (optionally those whose name contains TEXT).",
    async (client, options) => {
      const name = typeof options.name === "string" ? options.name : undefined;
      const items = await collect(
        client.was.webApps.search(
          name ? { criteria: [{ field: "name", operator: "CONTAINS", value: name }] } : {},
        ),
      );
      return items.map(toWebAppSummary);
    },
    [
      { header: "ID", key: "id", value: (w) => w.id },
      { header: "NAME", key: "name", value: (w) => w.name },
      { header: "URL", key: "url", value: (w) => w.url },
      { header: "UPDATED", key: "updatedDate", value: (w) => w.updatedDate },
    ],
    (c) => c.option("--name <text>", "only web apps whose name contains TEXT"),
  );
  const authRecords = was.command("auth-records").description("WAS authentication records");
  listCommand(
    authRecords,
    "list",
    "List authentication records.",
    async (client) => collect(client.was.authRecords.search()),
    [
      { header: "ID", key: "id", value: (r) => int(r.id) },
      { header: "NAME", key: "name", value: (r) => text(r.name) },
      { header: "UPDATED", key: "updatedDate", value: (r) => text(r.updatedDate) },
    ],
  );
  const wasProfiles = was.command("option-profiles").description("WAS option profiles");
  listCommand(
    wasProfiles,
    "list",
    "List WAS option profiles.",
    async (client) => collect(client.was.optionProfiles.search()),
    [
      { header: "ID", key: "id", value: (p) => int(p.id) },
      { header: "NAME", key: "name", value: (p) => text(p.name) },
      { header: "DEFAULT", key: "isDefault", value: (p) => text(p.isDefault) === "true" },
    ],
  );

  const vm = program.command("vm").description("Qualys VM: inventory");
  listCommand(
    vm.command("option-profiles").description("VM option profiles"),
    "list",
    "List VM option profiles.",
    (client) => client.vm.optionProfiles(),
    [
      { header: "ID", key: "id", value: (p) => p.id },
      { header: "TITLE", key: "title", value: (p) => p.title },
      { header: "DEFAULT", key: "isDefault", value: (p) => p.isDefault },
    ],
  );
  listCommand(
    vm.command("scanners").description("VM scanner appliances"),
    "list",
    "List scanner appliances.",
    (client) => client.vm.scanners(),
    [
      { header: "ID", key: "id", value: (s) => s.id },
      { header: "NAME", key: "name", value: (s) => s.name },
      { header: "STATUS", key: "status", value: (s) => s.status },
      { header: "NETWORK", key: "networkId", value: (s) => s.networkId },
    ],
  );
  listCommand(
    vm.command("networks").description("VM networks"),
    "list",
    "List networks.",
    (client) => client.vm.networks(),
    [
      { header: "ID", key: "id", value: (n) => n.id },
      { header: "NAME", key: "name", value: (n) => n.name },
    ],
  );
  listCommand(
    vm.command("ec2-connectors").description("AWS EC2 connectors (Asset Management)"),
    "list",
    "List AWS EC2 connectors.",
    async (client) => collect(client.am.awsConnectors.search()),
    [
      { header: "ID", key: "id", value: (c) => int(c.id) },
      { header: "NAME", key: "name", value: (c) => text(c.name) },
      { header: "STATE", key: "connectorState", value: (c) => text(c.connectorState) },
      { header: "DISABLED", key: "disabled", value: (c) => text(c.disabled) === "true" },
    ],
  );

  const kb = program.command("kb").description("Qualys KnowledgeBase");
  const show = kb
    .command("show")
    .description("Show KnowledgeBase entries for QIDs.")
    .argument("<qid...>", "one or more QIDs")
    .option("--format <format>", "table, json or csv", "table");
  addConnectionOptions(show);
  show.action(async (qids: string[], flags: Flags) => {
    const format = parseFormat(flags.format);
    const ids = qids
      .flatMap((q) => q.split(","))
      .map((q) => q.trim())
      .filter(Boolean);
    for (const id of ids) {
      if (!/^\d+$/.test(id)) throw new UsageError(`QID "${id}" is not a positive whole number`);
      // QIDs have at most 9 digits, as the gate's QID lists accept them (parseQidList).
      if (Number(id) < 1 || Number(id) > MAX_QID)
        throw new UsageError(`QID "${id}" is out of range: QIDs are 1 to ${MAX_QID}`);
    }
    const vulns = await withClient(flags, async (client) =>
      (await collect(client.kb.list({ ids: ids.map(Number), details: "All" }))).map(toKbVuln),
    );
    process.stdout.write(
      render(
        vulns,
        [
          { header: "QID", key: "qid", value: (v) => v.qid },
          { header: "SEV", key: "severity", value: (v) => v.severity },
          { header: "TITLE", key: "title", value: (v) => v.title },
          { header: "CATEGORY", key: "category", value: (v) => v.category },
          { header: "CVES", key: "cves", value: (v) => v.cves.join(" ") },
          { header: "CVSS3", key: "cvssV3", value: (v) => v.cvssV3?.base },
          { header: "PCI", key: "pci", value: (v) => v.pci },
        ],
        format,
        process.stdout.columns ?? 120,
      ),
    );
    const missing = ids.filter((id) => !vulns.some((v) => v.qid === Number(id)));
    if (missing.length > 0) logLine(`warning: no KnowledgeBase entry for QID ${missing.join(", ")}`);
  });
  return [was, vm, kb];
}
