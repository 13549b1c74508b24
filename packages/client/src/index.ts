/**
 * The Qualys wire protocol (client package): platforms, errors with redaction, permissive envelope readers,
 * transport, authentication (Basic, VM session, OAuth via the gateway), retries, the shared API limiter, and
 * endpoint functions (WAS, VM scans and lists, KnowledgeBase, Asset Management, portal version).
 */

export {
  type Auth,
  basicAuthorization,
  jwtExpiry,
  TOKEN_LIFETIME_MS,
  TOKEN_REFRESH_MARGIN_MS,
} from "./auth.js";
export {
  createQualysClient,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
  knownSecrets,
  type QualysClient,
  type QualysClientOptions,
} from "./client.js";
export {
  excerpt,
  QualysAbortError,
  QualysApiError,
  QualysAuthError,
  QualysConfigError,
  QualysError,
  type QualysErrorKind,
  QualysHttpError,
  QualysNetworkError,
  QualysParseError,
  QualysRateLimitError,
  QualysResponseTooLargeError,
  QualysTimeoutError,
  type RequestInfo,
  redactError,
} from "./errors.js";
export type { ClientEvent } from "./http-client.js";
export { describeJsonSyntaxError, findJsonSyntaxError, type JsonSyntaxProblem } from "./json-syntax.js";
export { type KbQuery, type KbVuln, KnowledgeBase, toKbVuln } from "./kb.js";
export { apiKey, type Clock, readLimitHeaders, systemClock } from "./limiter.js";
export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, PAGE_SIZE } from "./limits.js";
export {
  OptionError,
  type OptionMessage,
  type OptionName,
  opt,
  optionMessage,
  optionProblems,
  optionsNamed,
  renderOptionMessage,
} from "./option-message.js";
export {
  type Endpoints,
  endpointsFromApiUrl,
  PLATFORM_IDS,
  PLATFORMS,
  type PlatformId,
  platformEndpoints,
  portalUrl,
  resolvePlatform,
} from "./platforms.js";
export {
  capNamesAndUrls,
  MAX_NAME_CHARS,
  readServiceResponse,
  type ServiceResponse,
} from "./qps-envelope.js";
export {
  createRedactor,
  isSecretName,
  MASK,
  type Redactor,
  redact,
  redactKnown,
  redactUrl,
  SECRET_NAMES,
} from "./redact.js";
export {
  currentRequestScope,
  type RequestScope,
  withRequestScope,
} from "./request-scope.js";
export {
  backoffDelay,
  DEFAULT_RETRY,
  type RetryDecision,
  type RetryOptions,
  retryDecision,
  transportFailure,
} from "./retry.js";
export {
  type FindExisting,
  readWasScanDownload,
  type VmScanState,
  type WasLaunch,
  type WasScanStatus,
} from "./scans.js";
export { readSimpleReturn, type SimpleReturn, simpleReturnError } from "./simple-return.js";
export { deadlineSignal, longTimer, MAX_TIMER_MS, sleep } from "./timers.js";
export {
  bufferedStreamTransport,
  createDispatcher,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamRequest,
  type HttpStreamResponse,
  type StreamTransport,
  type Transport,
  type TransportOptions,
  undiciStreamTransport,
  undiciTransport,
} from "./transport.js";
export type { ScannerAppliance, VmNetwork, VmOptionProfile } from "./vm.js";
export {
  toVmScan,
  toVmScanResults,
  type VmScan,
  type VmScanResults,
  type VmScanRow,
  vmScansOf,
} from "./vm-schema.js";
export {
  type Criterion,
  type Operator,
  type SearchOptions,
  serviceRequest,
  toWebAppSummary,
  type WebAppSummary,
} from "./was.js";
export {
  looksLikeEnvelope,
  type ReportCriteria,
  type ReportDownloadOptions,
  type ReportFile,
  type ReportFileStream,
  type ReportFormat,
  type ReportSpec,
  type ReportStatus,
  type ReportType,
  reportCriteria,
  WasReportApi,
} from "./was-report-api.js";
export {
  type Finding,
  type FindingType,
  type NamedObject,
  type ReportSummary,
  toFinding,
  toNamedObject,
  toReportSummary,
  toWasReport,
  toWasScan,
  toWasScanResults,
  toWebApp,
  type WasReport,
  type WasScan,
  type WasScanIg,
  type WasScanPayload,
  type WasScanResults,
  type WasScanVuln,
  type WebApp,
  type WebAppRef,
  type WebClassRef,
} from "./was-schema.js";
export {
  asList,
  at,
  bool,
  int,
  lenientBase64,
  num,
  parseJson,
  parseXml,
  text,
  v3List,
  type XmlNode,
} from "./xml.js";
