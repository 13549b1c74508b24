/**
 * The Qualys wire protocol (client package): platforms, errors with redaction, permissive envelope readers,
 * transport, authentication (Basic, VM session, OAuth via the gateway), retries, the shared API limiter, and
 * endpoint functions (WAS searches, KnowledgeBase, portal version). More endpoints come with issue 3.
 */
export { createQualysClient, type QualysClient, type QualysClientOptions } from "./client.js";
export {
  asList,
  at,
  bool,
  int,
  lenientBase64,
  looksLikeHtml,
  num,
  parseJson,
  parseXml,
  readServiceResponse,
  readSimpleReturn,
  type ServiceResponse,
  type SimpleReturn,
  simpleReturnError,
  text,
  v3List,
  type XmlNode,
} from "./envelope.js";
export {
  excerpt,
  QualysApiError,
  QualysAuthError,
  QualysConfigError,
  QualysError,
  type QualysErrorKind,
  QualysHttpError,
  QualysNetworkError,
  QualysParseError,
  QualysRateLimitError,
  QualysTimeoutError,
  type RequestInfo,
} from "./errors.js";
export type { Auth, ClientEvent } from "./http-client.js";
export { type KbQuery, type KbVuln, toKbVuln } from "./kb.js";
export { apiKey, type Clock, readLimitHeaders, systemClock } from "./limiter.js";
export {
  type Endpoints,
  endpointsFromApiUrl,
  PLATFORM_IDS,
  PLATFORMS,
  type PlatformId,
  platformEndpoints,
} from "./platforms.js";
export { redact, redactUrl } from "./redact.js";
export type { ReportSpec, VmScanState, WasLaunch, WasScanStatus } from "./scans.js";
export type { HttpRequest, HttpResponse, Transport } from "./transport.js";
export type { ScannerAppliance, VmNetwork, VmOptionProfile } from "./vm.js";
export {
  type Criterion,
  type Operator,
  type SearchOptions,
  serviceRequest,
  toWebAppSummary,
  type WebAppSummary,
} from "./was.js";
