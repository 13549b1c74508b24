/**
 * The WAS data sync (seed 003): web apps, findings and vulnerability definitions into a store, incrementally,
 * resumably, one stream per object behind one interface.
 */

export {
  AIRBYTE_COMMANDS,
  AIRBYTE_STREAMS,
  type AirbyteCommand,
  type AirbyteConfig,
  type AirbyteFiles,
  AirbyteInputError,
  type AirbyteIo,
  type AirbyteMessage,
  type AirbyteOutcome,
  type AirbyteStreamName,
  catalogMessage,
  clientOptionsFrom,
  connectionSpecification,
  MAX_REMEMBERED_QIDS,
  parseCatalog,
  parseConfig,
  parseStateFile,
  runAirbyte,
  specMessage,
} from "./airbyte.js";
export { type Checkpoint, parseCheckpoint } from "./checkpoint.js";
export {
  DEFAULT_OVERLAP_MS,
  guidedGroups,
  type PageDestination,
  type PassesRun,
  qualysTime,
  readPasses,
} from "./engine.js";
export type { Pass, Stream, StreamContext, SyncFilters } from "./stream.js";
export { findingsStream, KB_BATCH, readDefinitions, webAppsStream } from "./streams.js";
export {
  runSync,
  type StreamReport,
  type SyncOptions,
  type SyncProgress,
  type SyncReport,
} from "./sync.js";
