/**
 * The normalized Qualys domain shared by the gates, the store and the sync: severities and their mappings,
 * stable fingerprints, vulnerability definitions (KnowledgeBase) and scan findings.
 */

export { type FingerprintParts, fingerprint, normalizeUrl } from "./fingerprint.js";
export { decodeEntities, type KbBlock, type KbInline, kbHtmlToText, parseKbHtml } from "./kb-text.js";
export {
  REPORT_KINDS,
  type ReportCounts,
  type ReportItem,
  type ReportKind,
  type ReportProvenance,
} from "./report-items.js";
export { type HostRef, type ScanFinding, wasScanFindings } from "./scan-finding.js";
export {
  emptyCounts,
  isSeverity,
  SECURITY_SEVERITY,
  SEVERITIES,
  SEVERITY_NAMES,
  SEVERITY_SCORE,
  type Severity,
  type SeverityCounts,
  sarifLevel,
  toSeverity,
} from "./severity.js";
export {
  DEFAULT_SEVERITY_LABELS,
  type FindingKind,
  type SeverityLabelMap,
  severityLabel,
  severityLabels,
} from "./severity-labels.js";
export { parseSeverityMap } from "./severity-map.js";
export {
  type HostSummary,
  RESULTS_MAX,
  type VmRowKind,
  vmHostSummaries,
  vmQidsNeedingDefinitions,
  vmScanFindings,
} from "./vm-scan-finding.js";
export { toVulnerabilityDefinition, type VulnerabilityDefinition } from "./vulnerability-definition.js";
export {
  type ApplicationRecord,
  type DefinitionRecord,
  EVIDENCE_MAX,
  type Evidence,
  FINDING_STATUSES,
  type FindingRecord,
  type FindingStatus,
  toApplicationRecord,
  toDefinitionRecord,
  toFindingRecord,
} from "./was-records.js";
export { type OwaspClass, owaspClass, type WebClasses, webClasses } from "./web-classes.js";
