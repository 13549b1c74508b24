/**
 * What the VM gate needs from Qualys (VM API v2 scans, the KnowledgeBase, Asset Management for EC2), as a narrow
 * interface over the client, so the runner is tested against fakes and, end to end, against the simulator.
 */

import {
  bool,
  int,
  opt,
  optionMessage,
  type QualysClient,
  text,
  type VmScanResults,
  type VmScanState,
} from "@qualys-connector/client";
import type { VulnerabilityDefinition } from "@qualys-connector/model";
import { ToolError } from "./scan-lifecycle.js";
import { kbDefinitions } from "./was-gate-api.js";

export interface Ec2Connector {
  id: number;
  name: string;
  state: string | undefined;
  disabled: boolean;
}

export interface VmGateApi {
  /**
   * The subscription's default VM option profile (the Jenkins VM connector's default), when
   * `--option-profile` is not given.
   */
  defaultOptionProfile(): Promise<{ id: number; title: string } | undefined>;
  /** An AWS connector by id (digits) or exact name; throws ToolError("connector") otherwise. */
  findConnector(nameOrId: string): Promise<Ec2Connector>;
  runConnector(id: number): Promise<string | undefined>;
  connectorState(id: number): Promise<string | undefined>;
  /** EC2 instance states by instance id, from Asset Management host assets (docs/qualys-api.md 4.4). */
  instanceStates(instanceIds: readonly string[]): Promise<Map<string, string | undefined>>;
  launch(params: Record<string, string> & { scan_title: string }, launchedAfter: string): Promise<string>;
  state(ref: string): Promise<VmScanState | undefined>;
  cancel(ref: string): Promise<void>;
  results(ref: string): Promise<VmScanResults>;
  definitions(qids: readonly number[]): Promise<VulnerabilityDefinition[]>;
}

/** The VM gate API over a Qualys client. `count` is told the purpose of every call, for result.json. */
export function vmGateApi(client: QualysClient, count: (purpose: string) => void = () => {}): VmGateApi {
  return {
    async defaultOptionProfile() {
      count("option-profiles");
      const profiles = await client.vm.optionProfiles();
      const chosen = profiles.find((p) => p.isDefault);
      return chosen ? { id: chosen.id, title: chosen.title } : undefined;
    },
    async findConnector(nameOrId) {
      const wanted = nameOrId.trim();
      const byId = /^\d+$/.test(wanted);
      count("connector");
      const found: Ec2Connector[] = [];
      for await (const node of client.am.awsConnectors.search({
        criteria: [{ field: byId ? "id" : "name", operator: "EQUALS", value: wanted }],
      }))
        found.push({
          id: int(node.id) ?? 0,
          name: text(node.name) ?? "",
          state: text(node.connectorState),
          disabled: bool(node.disabled) ?? false,
        });
      const exact = byId ? found : found.filter((c) => c.name === wanted);
      if (exact.length === 1 && exact[0]) return exact[0];
      if (exact.length > 1)
        throw new ToolError(
          "connector",
          optionMessage`${opt("ec2.connector")}: ${exact.length} connectors are named "${wanted}"; give the id of one: ${exact.map((c) => `${c.id} "${c.name}"`).join("; ")}`,
        );
      throw new ToolError(
        "connector",
        optionMessage`${opt("ec2.connector")}: no AWS connector ${byId ? "has id" : "is named"} ${wanted} (\`qualys-connector vm ec2-connectors list\` shows them)`,
      );
    },
    async runConnector(id) {
      count("connector-run");
      return client.am.connectors.run(id);
    },
    async connectorState(id) {
      count("connector-state");
      return client.am.connectors.state(id);
    },
    async instanceStates(instanceIds) {
      const states = new Map<string, string | undefined>();
      for (const id of instanceIds) {
        count("instance-state");
        for await (const node of client.am.hostAssets.search({
          criteria: [{ field: "instanceId", operator: "EQUALS", value: id }],
        })) {
          const source = (text(node.trackingMethod) ?? "EC2") === "EC2" ? ec2Source(node) : undefined;
          if (source?.instanceId === id) states.set(id, source.instanceState);
        }
      }
      return states;
    },
    async launch(params, launchedAfter) {
      count("launch");
      return client.vm.scans.launch(params, launchedAfter);
    },
    async state(ref) {
      count("status");
      return client.vm.scans.state(ref);
    },
    async cancel(ref) {
      count("cancel");
      await client.vm.scans.cancel(ref);
    },
    async results(ref) {
      count("fetch");
      return client.vm.scans.results(ref);
    },
    definitions: (qids) => kbDefinitions(client, qids, count),
  };
}

/** `sourceInfo.list[].Ec2AssetSourceSimple` of a host asset, in its XML or JSON shape. */
function ec2Source(
  node: Record<string, unknown>,
): { instanceId: string | undefined; instanceState: string | undefined } | undefined {
  const list = (node.sourceInfo as { list?: unknown } | undefined)?.list;
  const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
  for (const item of items) {
    const record = item as Record<string, unknown>;
    const source = (record.Ec2AssetSourceSimple ?? record) as Record<string, unknown>;
    const instanceId = text(source.instanceId);
    if (instanceId !== undefined) return { instanceId, instanceState: text(source.instanceState) };
  }
  return undefined;
}
