/**
 * What reading a Qualys report file yields, whatever its kind: the records the store keeps (the same records a
 * sync stores), then the report's provenance. The reader (`@qualys-connector/reports`) produces these; the
 * importer (`@qualys-connector/sync`) writes them, one file per transaction.
 */

import type { ApplicationRecord, DefinitionRecord, FindingRecord } from "./was-records.js";

/** Report kinds, told apart by the document's root (docs/qualys-api.md 6.1, 6.2), never by the file name. */
export const REPORT_KINDS = ["WAS_WEBAPP_REPORT", "WAS_SCAN_REPORT", "GATE_RESULT"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Where a report came from: kept with the import, so every stored row can be traced to its file. */
export interface ReportProvenance {
  kind: ReportKind;
  /** The file's name as given (its base name), `-` for standard input, or the name Qualys gave a pulled report. */
  fileName: string;
  /** Hex SHA-256 of the bytes read (the file as stored, before any decompression). */
  sha256: string;
  /** Bytes read, before decompression. */
  bytes: number;
  /** The Qualys report id, for a report pulled through the API. */
  reportId: number | undefined;
  /** The report's own title (HEADER/NAME), when it has one. */
  title: string | undefined;
  /** ISO time the report was generated (HEADER/GENERATION_DATETIME, or the gate run's end). */
  generatedAt: string | undefined;
  /** Scan ids or references the report names (`was/1234.5678`, or the WAS scan id). */
  scanIds: string[];
  /** The web apps the report covers: auto-close considers these and only these. */
  webAppIds: number[];
}

/** Records counted per kind, as read from the file. */
export interface ReportCounts {
  applications: number;
  definitions: number;
  /** Findings by type: VULNERABILITY, SENSITIVE_CONTENT, INFORMATION_GATHERED. */
  findings: Record<string, number>;
}

export type ReportItem =
  | { type: "application"; record: ApplicationRecord }
  | { type: "definition"; record: DefinitionRecord }
  | {
      type: "finding";
      record: FindingRecord;
      /**
       * True when `record.uid` is the finding's WAS uniqueId; false when the report had none and the uid is a
       * fingerprint (web app + QID + URL + parameter), so the importer matches a stored finding by fingerprint.
       */
      uidIsUniqueId: boolean;
    }
  | { type: "end"; provenance: ReportProvenance; counts: ReportCounts };
