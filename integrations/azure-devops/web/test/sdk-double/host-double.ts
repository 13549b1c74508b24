/**
 * The test double of the Azure DevOps host, shared by the stand-ins for the SDK and API packages. The browser test
 * puts the scenario on `window.__qualysHostDouble` before the page's script runs (an init script), and reads back
 * what the page asked of the host from `window.__qualysHostCalls`.
 */

export interface HostDoubleAttachment {
  name: string;
  /** The timeline record (task step) that attached it. */
  recordId: string;
  /** The attachment's content: a result.json as the task wrote it. */
  text: string;
}

export interface HostDouble {
  buildId: number;
  projectId: string;
  attachments: HostDoubleAttachment[];
  /** Timeline records: task steps by id. */
  records: { id: string; name: string }[];
  extension: { publisherId: string; extensionId: string };
  /** Makes the attachment list fail, as a REST error would. */
  failAttachments?: string;
}

declare global {
  interface Window {
    __qualysHostDouble?: HostDouble;
    __qualysHostCalls?: string[];
  }
}

export function hostDouble(): HostDouble {
  const scenario = window.__qualysHostDouble;
  if (scenario === undefined) throw new Error("the test gave the page no host double");
  return scenario;
}

/** Records one call the page made to the host, with its arguments as JSON. */
export function record(name: string, ...args: unknown[]): void {
  window.__qualysHostCalls ??= [];
  window.__qualysHostCalls.push(args.length === 0 ? name : `${name} ${JSON.stringify(args)}`);
}
