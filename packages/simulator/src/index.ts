/**
 * The Qualys API simulator: an independent implementation of the Qualys WAS API v3, VM API v2, KnowledgeBase,
 * AM and gateway auth wire formats, with seeded data, scan lifecycles, API limits, faults and a control API.
 */
export type { FaultKind, SimulatorOptions } from "./options.js";
export { DEFAULT_PASSWORD, DEFAULT_USERNAME, FAULT_KINDS, SimulatorOptionsError } from "./options.js";
export type { RunningSimulator, SimulatorControl } from "./server.js";
export { startSimulator } from "./server.js";
export type { StatsSnapshot } from "./stats.js";
export { SIM_CLIENT_ID, SIM_CLIENT_SECRET } from "./users.js";
