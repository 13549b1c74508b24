/**
 * The WAS data sync: web apps, findings and vulnerability definitions into a store, incrementally,
 * resumably, one stream per object behind one interface.
 */

export {
  type AirbyteFiles,
  type AirbyteIo,
  type AirbyteOutcome,
  runAirbyte,
} from "./airbyte.js";
export {
  type AirbyteConfig,
  clientOptionsFrom,
  parseCatalog,
  parseConfig,
  QIDS_PER_STATE,
} from "./airbyte-config.js";
export {
  AIRBYTE_COMMANDS,
  AIRBYTE_STREAMS,
  type AirbyteCommand,
  AirbyteInputError,
  type AirbyteMessage,
  type AirbyteStreamName,
} from "./airbyte-protocol.js";
export { catalogMessage, connectionSpecification, specMessage } from "./airbyte-spec.js";
export { MAX_REMEMBERED_QIDS, parseStateFile } from "./airbyte-state.js";
export { type Checkpoint, parseCheckpoint } from "./checkpoint.js";
export {
  DEFAULT_OVERLAP_MS,
  guidedGroups,
  nextCursor,
  type PageDestination,
  type PassesRun,
  qualysTime,
  readPasses,
} from "./engine.js";
export {
  type AutoCloseSkip,
  IMPORT_STREAM,
  type ImportCounts,
  type ImportProgress,
  type ImportReportOptions,
  type ImportReportResult,
  importReport,
  REPORT_SOURCE,
} from "./import-report.js";
export {
  type CreatedOutcome,
  type CreateReportRequest,
  createdReportName,
  type PulledOutcome,
  type PulledReport,
  type PulledReportType,
  type PullProgress,
  type PullReportsOptions,
  type PullReportsResult,
  pullReports,
} from "./pull-reports.js";
export type { Pass, Stream, StreamContext, SyncFilters } from "./stream.js";
export {
  findingsStream,
  KB_BATCH,
  type RegisteredStream,
  readDefinitions,
  STREAM_ORDER,
  STREAM_REGISTRY,
  type StreamName,
  webAppsStream,
} from "./streams.js";
export {
  runSync,
  type StreamReport,
  type SyncOptions,
  type SyncProgress,
  type SyncReport,
} from "./sync.js";
