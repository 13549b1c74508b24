/**
 * The Qualys wire protocol (client package). This first increment holds the error family with redaction, the
 * platform table and URL derivation, and the permissive envelope readers; auth, transport, retry, limits and the
 * typed endpoints come next (issue 3).
 */
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
export {
  type Endpoints,
  endpointsFromApiUrl,
  PLATFORM_IDS,
  PLATFORMS,
  type PlatformId,
  platformEndpoints,
} from "./platforms.js";
export { redact, redactUrl } from "./redact.js";
