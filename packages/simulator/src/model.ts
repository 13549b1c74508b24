/**
 * The simulator's own picture of a Qualys subscription. These types are internal to the simulator and are
 * deliberately independent of the client and model packages: the simulator is a second implementation of the
 * wire format, so a misunderstanding cannot hide in both.
 *
 * All dates are ISO-8601 UTC strings (`2026-11-22T10:15:00Z`), the format WAS API v3 uses; VM API v2 output
 * formats its own way at serialization time.
 */

/** Qualys severity, 1 (minimal) to 5 (urgent). */
export type Severity = 1 | 2 | 3 | 4 | 5;

/** Modules a user may be entitled to. `API` gates every API call (a user without API access gets refused). */
export type SimModule = "WAS" | "VM" | "KB" | "AM" | "API";

export interface SimUser {
  id: number;
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  modules: readonly SimModule[];
  /** An expired account answers every call with SIMPLE_RETURN code 2001 (docs/qualys-api.md 5.1). */
  expired: boolean;
  /** Subscription uses OpenID Connect, so `/api/2.0` accepts Bearer tokens (docs/qualys-api.md 2.3). */
  oidcEnabled: boolean;
  /** OAuth client credentials for `/auth/oidc`, when this user has them. */
  clientId?: string;
  clientSecret?: string;
}

/** What a scenario target does when scanned (see the simulator README). */
export type WasScenario =
  | "clean"
  | "vulnerable"
  | "error"
  | "canceled"
  | "no-host"
  | "time-limit"
  | "slow"
  | "running";

export type VmScenario = "clean" | "vulnerable" | "no-host" | "error" | "slow";

export interface SimTag {
  id: number;
  name: string;
}

export interface SimOwner {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
}

export interface SimWebApp {
  id: number;
  name: string;
  url: string;
  /** Extra URIs in scope besides `url`. */
  uris: string[];
  os: string | null;
  owner: SimOwner;
  scope: "ALL" | "DOMAINS" | "SUBDOMAIN";
  tags: SimTag[];
  createdDate: string;
  updatedDate: string;
  isScheduled: boolean;
  riskScore: number;
  defaultProfileId: number;
  defaultScanner: { type: "EXTERNAL" | "INTERNAL"; friendlyName?: string };
  /**
   * Auth records attached to the web app; the first is the default one ("Use Default" in Qualys' Azure DevOps
   * WAS connector).
   */
  authRecordIds: number[];
  comments: string | null;
  /** Id of the most recent scan, if any (drives `lastScan` and the `isScanned` filter). */
  lastScanId: number | null;
  scenario: WasScenario | null;
}

export type FindingType = "VULNERABILITY" | "SENSITIVE_CONTENT" | "INFORMATION_GATHERED";
export type FindingStatus = "NEW" | "ACTIVE" | "REOPENED" | "FIXED" | "PROTECTED";
export type IgnoredReason = "FALSE_POSITIVE" | "RISK_ACCEPTED" | "NOT_APPLICABLE";

export interface SimCodeName {
  code: string;
  name: string;
  url: string;
}

export interface SimPayload {
  payload: string;
  request: { method: string; link: string; headers: string; body: string };
  /** Raw response excerpt; the wire carries it as text (findings) or base64 (scan results, reports). */
  response: string;
}

export interface SimFindingResult {
  authentication: boolean;
  ajax: boolean;
  formLocation: string | null;
  accessPath: string[];
  payloads: SimPayload[];
}

export interface SimFinding {
  id: number;
  uniqueId: string;
  qid: number;
  /** Title, as `name` on the wire. */
  name: string;
  type: FindingType;
  potential: boolean;
  findingType: "QUALYS" | "BURP" | "BUGCROWD" | "CUSTOM";
  param: string | null;
  severity: Severity;
  /** Absent for information gathered (real J1 recording). */
  url: string | null;
  /** Absent for information gathered (real J1 recording). */
  status: FindingStatus | null;
  group: string;
  owasp: SimCodeName[];
  wasc: SimCodeName[];
  cwe: number[];
  cvssV3: { base: number; temporal: number; attackVector: string } | null;
  detectionScore: number;
  firstDetectedDate: string;
  lastDetectedDate: string;
  lastTestedDate: string;
  updatedDate: string;
  fixedDate: string | null;
  timesDetected: number;
  webAppId: number;
  isIgnored: boolean;
  ignoredReason: IgnoredReason | null;
  ignoredDate: string | null;
  ignoredComment: string | null;
  results: SimFindingResult[];
  /** Scans that detected or re-tested this finding, oldest first. */
  scanIds: number[];
}

export interface SimKbVuln {
  qid: number;
  vulnType:
    | "Vulnerability"
    | "Potential Vulnerability"
    | "Information Gathered"
    | "Vulnerability or Potential Vulnerability";
  severity: Severity;
  title: string;
  category: string;
  /** WAS group code (XSS, SQL, PATH, INFO, CC, ...) for QIDs used by WAS findings; null for VM-only QIDs. */
  group: string | null;
  lastServiceModificationDate: string;
  publishedDate: string;
  codeModifiedDate: string | null;
  patchable: boolean;
  /** CVE ids as Qualys returns them: a few carry stray spaces (Brinqa's Qualys WAS changelog, 5.1.3). */
  cves: string[];
  bugtraqIds: string[];
  vendorReferences: string[];
  software: { product: string; vendor: string }[];
  diagnosis: string;
  consequence: string;
  solution: string;
  cvssV2: { base: number; temporal: number | null; vector: string | null } | null;
  cvssV3: { base: number; temporal: number | null; vector: string | null } | null;
  pciFlag: boolean;
  threatIntel: string[];
  owasp: SimCodeName[];
  wasc: SimCodeName[];
  cwe: number[];
  discoveryRemote: boolean;
  authTypes: string[];
  supportedModules: string[];
}

export type WasScanStatus = "SUBMITTED" | "RUNNING" | "PROCESSING" | "FINISHED" | "ERROR" | "CANCELED";
export type WasResultsStatus =
  | "NOT_USED"
  | "TO_BE_PROCESSED"
  | "NO_HOST_ALIVE"
  | "NO_WEB_SERVICE"
  | "SERVICE_ERROR"
  | "TIME_LIMIT_REACHED"
  | "SCAN_INTERNAL_ERROR"
  | "SCAN_RESULTS_INVALID"
  | "SUCCESSFUL"
  | "PROCESSING"
  | "TIME_LIMIT_EXCEEDED"
  | "SCAN_NOT_LAUNCHED"
  | "SCANNER_NOT_AVAILABLE"
  | "SUBMITTED"
  | "RUNNING"
  | "FINISHED"
  | "CANCELED"
  | "CANCELING"
  | "ERROR"
  | "DELETED"
  | "CANCELED_WITH_RESULTS";
export type WasAuthStatus = "NONE" | "NOT_USED" | "SUCCESSFUL" | "FAILED" | "PARTIAL";

/** A vulnerability, sensitive content or information-gathered item as captured in a finished scan's results. */
export interface SimScanResultItem {
  findingId: number;
  qid: number;
  title: string;
  type: FindingType;
  severity: Severity;
  potential: boolean;
  uri: string | null;
  param: string | null;
  authenticated: boolean;
  form: string | null;
  payloads: { payload: string; result: string }[];
  /** Information gathered: the raw data block. */
  data: string | null;
  uniqueId: string;
  firstDetectedDate: string;
  status: FindingStatus | null;
  isIgnored: boolean;
}

export interface SimWasScan {
  id: number;
  name: string;
  reference: string;
  type: "VULNERABILITY" | "DISCOVERY";
  mode: "ONDEMAND" | "SCHEDULED" | "API";
  webAppId: number;
  /** `null` means no auth record ("none"). */
  authRecordId: number | null;
  profileId: number;
  scanner: { type: "EXTERNAL" | "INTERNAL" | "SCANNER_TAGS"; friendlyName?: string };
  cancelAfterNHours: number | null;
  launchedDate: string;
  launchedBy: SimOwner;
  status: WasScanStatus;
  /** Milliseconds (simulator clock) at which the scan moves to each next phase. */
  timeline: { runningAt: number; processingAt: number; finishedAt: number };
  /** What the scan ends as, decided at launch from the web app's scenario. */
  outcome: {
    status: "FINISHED" | "ERROR" | "CANCELED";
    resultsStatus: WasResultsStatus;
    authStatus: WasAuthStatus;
  };
  /** Never finishes on its own (scenario-slow); only cancel or `/__sim/scan-cycle` ends it. */
  stuck: boolean;
  endScanDate: string | null;
  resultsStatus: WasResultsStatus | null;
  authStatus: WasAuthStatus | null;
  canceledBy: SimOwner | null;
  cancelMode: "MANUAL" | "AUTO" | null;
  summary: { crawlDuration: number; testDuration: number; linksCrawled: number; nbRequests: number } | null;
  /** Results captured when the scan finished (null until then). */
  results: SimScanResultItem[] | null;
}

export interface SimAuthRecord {
  id: number;
  name: string;
  contents:
    | "FORM_STANDARD"
    | "FORM_CUSTOM"
    | "FORM_SELENIUM"
    | "SERVER_BASIC"
    | "SERVER_DIGEST"
    | "SERVER_NTLM";
  owner: SimOwner;
  tags: SimTag[];
  comments: string | null;
  createdDate: string;
  updatedDate: string;
}

export interface SimWasOptionProfile {
  id: number;
  name: string;
  owner: SimOwner;
  isDefault: boolean;
  tags: SimTag[];
  createdDate: string;
  updatedDate: string;
}

export type WasReportType = "WAS_SCAN_REPORT" | "WAS_WEBAPP_REPORT";
export type WasReportFormat =
  | "XML"
  | "PDF"
  | "HTML_ZIPPED"
  | "HTML_BASE64"
  | "CSV"
  | "CSV_V2"
  | "WORD"
  | "POWERPOINT"
  | "PDF_ENCRYPTED";

export interface SimReport {
  id: number;
  name: string;
  description: string | null;
  type: WasReportType;
  format: WasReportFormat;
  status: "RUNNING" | "COMPLETE" | "ERROR";
  createdDate: string;
  updatedDate: string;
  owner: SimOwner;
  /** Milliseconds at which the report becomes COMPLETE. */
  readyAt: number;
  /** WAS_SCAN_REPORT: scan ids; WAS_WEBAPP_REPORT: web app ids. */
  targetIds: number[];
  /** Rendered once the report is complete. */
  content: Buffer | null;
  contentType: string;
  fileName: string;
  /** Tags of the report itself (`tags.id`, `tags.name` search filters, docs/qualys-api.md 3.10). */
  tags?: SimTag[];
  /**
   * A saved report whose file is rendered at each download from the world as it is then (the seeded saved
   * reports), instead of once when it completed.
   */
  live?: boolean;
  /** A generated document (large or hostile), written to the socket as a stream at each download. */
  generated?: GeneratedReportSpec;
}

/** What a generated report holds: synthetic records, not the world's findings. */
export interface GeneratedReportSpec {
  /** VULNERABILITY records in the document. */
  findings: number;
  /** Decoded size of each record's base64 response (CONTENTS), in bytes. */
  responseBytes: number;
  /** Put hostile strings into every text field (titles, URLs, parameters, payloads, web app names). */
  hostile: boolean;
}

// ---------- VM ----------

export type VmDetectionType = "Vuln" | "Practice" | "Ig";

export interface SimHostDetection {
  qid: number;
  /**
   * Vuln = confirmed, Practice = potential, Ig = information gathered (docs/qualys-api.md 4.3 fetch rows).
   */
  type: VmDetectionType;
  severity: Severity;
  port: number | null;
  protocol: "tcp" | "udp" | null;
  ssl: boolean;
  fqdn: string | null;
  results: string;
  status: "New" | "Active" | "Fixed" | "Re-Opened";
  firstFound: string;
  lastFound: string;
  timesFound: number;
}

export interface SimHost {
  id: number;
  ip: string;
  dns: string | null;
  netbios: string | null;
  os: string;
  networkId: number | null;
  /** A host that is not alive finishes scans with SUB_STATE No_Host. */
  alive: boolean;
  ec2InstanceId: string | null;
  detections: SimHostDetection[];
  lastScanDate: string | null;
  scenario: VmScenario | null;
}

export type VmScanState = "Queued" | "Running" | "Paused" | "Loading" | "Finished" | "Error" | "Canceled";

export interface SimVmScan {
  id: number;
  /** `scan/<seconds>.<n>` */
  ref: string;
  title: string;
  type: "API" | "On-Demand" | "Scheduled";
  userLogin: string;
  launchDate: string;
  state: VmScanState;
  subState: "No_Host" | "No_Vuln" | null;
  targetIps: string[];
  ec2: { instanceIds: string[]; connectorName: string; endpoint: string } | null;
  optionProfile: { id: number; title: string; isDefault: boolean };
  scanner: string;
  networkId: number | null;
  timeline: { runningAt: number; loadingAt: number; finishedAt: number };
  outcome: { state: "Finished" | "Error"; subState: "No_Host" | "No_Vuln" | null };
  stuck: boolean;
  processed: boolean;
  endDate: string | null;
  /** Snapshot of the detections per host ip, captured when the scan finished. */
  results: { ip: string; detections: SimHostDetection[] }[] | null;
}

export interface SimVmOptionProfile {
  id: number;
  title: string;
  group: string;
  isDefault: boolean;
  owner: string;
}

export interface SimAppliance {
  id: number;
  name: string;
  status: "Online" | "Offline";
  type: "physical" | "virtual" | "ec2";
  networkId: number | null;
  ip: string;
}

export interface SimNetwork {
  id: number;
  name: string;
}

export type ConnectorState =
  | "FINISHED_SUCCESS"
  | "SUCCESS"
  | "FINISHED_ERRORS"
  | "ERROR"
  | "INCOMPLETE"
  | "DISABLED"
  | "QUEUED"
  | "RUNNING"
  | "PROCESSING";

export interface SimConnector {
  id: number;
  name: string;
  description: string;
  disabled: boolean;
  state: ConnectorState;
  /** What a run ends as: success or errors. */
  runOutcome: "FINISHED_SUCCESS" | "FINISHED_ERRORS";
  /** Milliseconds at which a run started with `run/am/assetdataconnector` ends; null when idle. */
  runEndsAt: number | null;
  lastSync: string | null;
  regions: string[];
  awsAccountId: string;
}

export interface SimHostAsset {
  id: number;
  name: string;
  ip: string;
  instanceId: string;
  instanceState: "RUNNING" | "STOPPED" | "TERMINATED" | "PENDING";
  region: string;
  connectorId: number;
  hostId: number;
}

export interface SimReportRequestConfig {
  scanIds: number[];
  webAppIds: number[];
}
