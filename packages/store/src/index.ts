/**
 * The store of synced Qualys data: one interface (`Store`), a SQLite and a PostgreSQL implementation with the
 * same numbered migrations and queries, opened by `openStore(location)`.
 */

export {
  APPLICATION_SORTS,
  type ApplicationFilter,
  type ApplicationListRow,
  type ApplicationPage,
  type ApplicationPageQuery,
  type ApplicationSort,
  type CappedCount,
  COUNT_CAP,
  type DashboardQueries,
  FINDING_SORTS,
  type FindingCursor,
  type FindingDetail,
  type FindingFilter,
  type FindingListRow,
  type FindingPage,
  type FindingPageQuery,
  type FindingSort,
  type Overview,
} from "./dashboard-queries.js";
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
export { type OpenStoreReaderOptions, openStoreReader, type StoreReader } from "./open-reader.js";
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
