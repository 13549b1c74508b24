/**
 * The Airbyte protocol as this source speaks it: the commands, the stream names, and our typing of the protocol's
 * AirbyteMessage (only the parts this source emits). Protocol: airbytehq/airbyte-protocol,
 * `protocol-models/src/main/resources/airbyte_protocol/v0/airbyte_protocol.yaml` (the tests validate every
 * message against it).
 */

import { STREAM_ORDER, type StreamName } from "./streams.js";

export type AirbyteCommand = "spec" | "check" | "discover" | "read";
export const AIRBYTE_COMMANDS: readonly AirbyteCommand[] = ["spec", "check", "discover", "read"];

/** The streams, in the order a read runs them: definitions come from the findings read just before. */
export const AIRBYTE_STREAMS = STREAM_ORDER;
export type AirbyteStreamName = StreamName;
export type SyncMode = "full_refresh" | "incremental";
export type DestinationSyncMode = "overwrite" | "append" | "append_dedup";

// ---------------------------------------------------------------------------------------------------------------
// Messages (our typing of the protocol's AirbyteMessage, only the parts this source emits)

export type JsonSchema = { readonly [key: string]: unknown };
export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";
export type FailureType = "system_error" | "config_error" | "transient_error";
export type StreamStatus = "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE";

export interface StreamDescriptor {
  name: string;
}

export interface AirbyteStream {
  name: AirbyteStreamName;
  json_schema: JsonSchema;
  supported_sync_modes: SyncMode[];
  source_defined_cursor: boolean;
  default_cursor_field: string[];
  source_defined_primary_key: string[][];
  is_resumable: boolean;
}

export interface ConnectorSpecification {
  connectionSpecification: JsonSchema;
  supportsIncremental: boolean;
  supported_destination_sync_modes: DestinationSyncMode[];
}

export type TraceMessage =
  | {
      type: "STREAM_STATUS";
      emitted_at: number;
      stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus };
    }
  | {
      type: "ERROR";
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    };

export type StreamState = { [key: string]: unknown };

export type AirbyteMessage =
  | { type: "SPEC"; spec: ConnectorSpecification }
  | { type: "CONNECTION_STATUS"; connectionStatus: { status: "SUCCEEDED" | "FAILED"; message: string } }
  | { type: "CATALOG"; catalog: { streams: AirbyteStream[] } }
  | {
      type: "RECORD";
      record: { stream: AirbyteStreamName; data: { [key: string]: unknown }; emitted_at: number };
    }
  | {
      type: "STATE";
      state: {
        type: "STREAM";
        stream: { stream_descriptor: StreamDescriptor; stream_state: StreamState };
        /** Records emitted for this stream since its previous STATE (the platform compares it with its count). */
        sourceStats: { recordCount: number };
      };
    }
  | { type: "LOG"; log: { level: LogLevel; message: string } }
  | { type: "TRACE"; trace: TraceMessage };

/** Config, catalog or state the user (or the platform) must fix; each problem names its field. */
export class AirbyteInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "AirbyteInputError";
  }
}

export function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
