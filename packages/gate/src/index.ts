/**
 * Scan gates for Qualys WAS and VM: the policy (schema -> normalize -> evaluate), the runner (launch -> poll ->
 * fetch -> evaluate -> write) and one writer per output format.
 */

export {
  type Baseline,
  type BaselineEntry,
  BaselineError,
  createBaseline,
  readBaseline,
} from "./baseline.js";
export { describeError } from "./describe-error.js";
export { DurationError, parseDuration } from "./duration.js";
export { type Evaluation, type EvaluationInput, evaluate } from "./evaluate.js";
export { evaluateSaved, readSavedScan, type SavedScan, SavedScanError } from "./evaluate-offline.js";
export { toIsoUtc } from "./iso-date.js";
export { escapeControlChars, logSafe, logSafeJson, logSafeLines } from "./log-text.js";
export {
  loadPolicyFile,
  normalizePolicy,
  type Policy,
  PolicyError,
  type PolicyException,
  type PolicyFlags,
  type SeverityCountRule,
} from "./policy.js";
export { type PolicyFile, policyFileSchema, policyJsonSchema } from "./policy-schema.js";
export { progressLine, progressLines } from "./progress-text.js";
export { formatQidRanges, parseQidList, QidListError, type QidRange, qidInRanges } from "./qid-list.js";
export { redactGateResult } from "./redact-result.js";
export {
  type CriterionAction,
  type CriterionResult,
  EXIT_CODES,
  type ExceptionReport,
  type ExitCode,
  type FindingDisposition,
  type GateFinding,
  type GateResult,
  type GateScan,
  type Verdict,
} from "./result.js";
export { fromResultFile, type GateResultFile, type ResultFileFinding, toResultFile } from "./result-file.js";
export {
  completionOfVm,
  type LaunchedVmScan,
  runVmGate,
  type VmGateOptions,
} from "./run-vm-gate.js";
export {
  completionOf,
  type LaunchedScan,
  runWasGate,
  type WasGateOptions,
} from "./run-was-gate.js";
export {
  INPUT_OF_OPTION,
  type InputName,
  type PolicyInputs,
  parseChoice,
  parseWholeNumber,
  policyFromInputs,
  SCAN_INPUT_DEFAULTS,
  ScanInputError,
  type ScanTimingInputs,
  scanDurations,
  scanTimingOptions,
  type VmScanInputs,
  vmScanOptions,
  type WasScanInputs,
  wasScanOptions,
} from "./scan-inputs.js";
export {
  countCalls,
  type GateProgress,
  type GateRunner,
  type LongScanOptions,
  ToolError,
} from "./scan-lifecycle.js";
export {
  type CiContext,
  type CiSystem,
  defaultScanNameTemplate,
  detectCi,
  renderScanName,
  ScanNameError,
} from "./scan-name.js";
export { type Ec2Connector, type VmGateApi, vmGateApi } from "./vm-gate-api.js";
export {
  KB_BATCH,
  type RunningScan,
  type WasGateApi,
  type WebAppChoice,
  WebAppLookupError,
  wasGateApi,
} from "./was-gate-api.js";
export {
  announceSummary,
  azureCommandData,
  azureSetOutputVariable,
  githubOutputEntry,
  OUTPUT_FILES,
  publishLaunchedScanOutputs,
  publishStepOutputs,
  renderJson,
  type WriteGateOutputsOptions,
  writeGateOutputs,
} from "./write-outputs.js";
export {
  GITLAB_DAST_SCHEMA_VERSION,
  type GitlabSeverity,
  gitlabSeverity,
  renderGitlabDast,
} from "./writers/gitlab-dast.js";
export {
  FINDING_COLUMNS,
  type FindingsTableOptions,
  HTML_FINDING_ROWS,
  type HtmlMode,
  type HtmlOptions,
  kbHtml,
  portalHref,
  REPORT_CSS,
  REPORT_STYLESHEET,
  renderCriteriaTable,
  renderExceptionsTable,
  renderFindingDetail,
  renderFindingsTable,
  renderFooter,
  renderHostsTable,
  renderHtml,
  renderScanDetails,
  renderSeverityChart,
  renderVerdict,
  renderWarnings,
} from "./writers/html.js";
export { escapeHtml } from "./writers/html-text.js";
export { renderJunit } from "./writers/junit.js";
export { renderMarkdown } from "./writers/markdown.js";
export { renderSarif } from "./writers/sarif.js";
export { severityChartSvg } from "./writers/severity-chart.js";
