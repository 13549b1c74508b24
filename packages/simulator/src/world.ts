import type {
  SimAppliance,
  SimAuthRecord,
  SimConnector,
  SimFinding,
  SimHost,
  SimHostAsset,
  SimKbVuln,
  SimNetwork,
  SimReport,
  SimUser,
  SimVmOptionProfile,
  SimVmScan,
  SimWasOptionProfile,
  SimWasScan,
  SimWebApp,
} from "./model.js";
import type { Random } from "./random.js";

/** Kinds of object that get ids from the world's counters. */
export type IdKind =
  | "webApp"
  | "finding"
  | "wasScan"
  | "report"
  | "vmScan"
  | "host"
  | "hostAsset"
  | "authRecord"
  | "wasOptionProfile";

/**
 * Everything the simulated subscription holds. Maps are keyed by id; ids only grow, so a Map's insertion order
 * is id order, which the `id GREATER` pagination style relies on.
 */
export interface SimWorld {
  users: SimUser[];
  webApps: Map<number, SimWebApp>;
  findings: Map<number, SimFinding>;
  kb: Map<number, SimKbVuln>;
  wasScans: Map<number, SimWasScan>;
  authRecords: Map<number, SimAuthRecord>;
  wasOptionProfiles: Map<number, SimWasOptionProfile>;
  reports: Map<number, SimReport>;
  hosts: Map<number, SimHost>;
  vmScans: Map<number, SimVmScan>;
  vmOptionProfiles: Map<number, SimVmOptionProfile>;
  appliances: Map<number, SimAppliance>;
  networks: Map<number, SimNetwork>;
  connectors: Map<number, SimConnector>;
  hostAssets: Map<number, SimHostAsset>;
  /** Next id per kind. */
  nextIds: Record<IdKind, number>;
  /** Randomness for changes made after seeding (scan results, scan cycles); seeded too, so runs repeat. */
  random: Random;
  /** How many `/__sim/scan-cycle` calls have run since the last reset. */
  cycles: number;
}

/** Allocate the next id of a kind. */
export function allocateId(world: SimWorld, kind: IdKind): number {
  const id = world.nextIds[kind];
  world.nextIds[kind] = id + 1;
  return id;
}

/** ISO-8601 UTC without milliseconds, as WAS API v3 prints dates (`2026-11-22T10:15:00Z`). */
export function isoDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A world with nothing in it: the starting point of the generator and of hand-built test fixtures. */
export function emptyWorld(random: Random, users: SimUser[] = []): SimWorld {
  return {
    users,
    webApps: new Map(),
    findings: new Map(),
    kb: new Map(),
    wasScans: new Map(),
    authRecords: new Map(),
    wasOptionProfiles: new Map(),
    reports: new Map(),
    hosts: new Map(),
    vmScans: new Map(),
    vmOptionProfiles: new Map(),
    appliances: new Map(),
    networks: new Map(),
    connectors: new Map(),
    hostAssets: new Map(),
    nextIds: {
      webApp: 1_000_001,
      finding: 5_000_001,
      wasScan: 2_000_001,
      report: 3_000_001,
      vmScan: 400_001,
      host: 100_001,
      hostAsset: 600_001,
      authRecord: 700_001,
      wasOptionProfile: 800_001,
    },
    random,
    cycles: 0,
  };
}
