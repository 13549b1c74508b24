/** How data changes over time; see changes.ts. */
export { applyVmScanResults, applyWasScanResults, runScanCycle, scenarioOutcome } from "./changes.js";
