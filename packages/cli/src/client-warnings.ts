import type { ClientEvent } from "@qualys-connector/client";

/**
 * The client's `log` hook for commands: its warnings (e.g. an over-long name or URL it cut on the way in) go to
 * stderr; the other events stay quiet. Warnings name the endpoint and field, never the data itself.
 */
export function printClientWarnings(event: ClientEvent): void {
  if (event.type === "warning") process.stderr.write(`warning: ${event.message}\n`);
}
