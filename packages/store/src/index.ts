/**
 * The store of synced Qualys data: one interface (`Store`), a SQLite and a PostgreSQL implementation with the
 * same numbered migrations and queries, opened by `openStore(location)`.
 */

export type {
  GateRunCommand,
  GateRunFilter,
  GateRunInput,
  GateRunKind,
  GateRunRow,
  GateRunSummary,
  GateRunVerdict,
} from "./gate-runs.js";
export { SyncLockedError } from "./kysely-store.js";
export { type OpenStoreOptions, openStore, redactLocation, StoreLocationError } from "./open-store.js";
export { contentHash } from "./rows.js";
export {
  type CloseAbsentOptions,
  type FindingChange,
  type ListOptions,
  type ReportImportInput,
  type ReportImportRow,
  STORED_OBJECTS,
  type Store,
  type StoredApplicationRow,
  type StoredObject,
  type StoredRow,
  type StreamState,
  type SubscriptionKey,
  type SubscriptionRow,
  type SyncLock,
  type SyncLockOptions,
  type SyncRunRow,
  type SyncRunStats,
  type UpsertCounts,
  type UpsertOutcome,
  type WriteContext,
} from "./store.js";
