/** Stand-in for azure-devops-extension-api/Build in the browser tests: the build REST client over the double. */

import { hostDouble, record } from "./host-double.js";

const TIMELINE = "0d6e7f1a-0000-4000-8000-000000000001";

/** Only a key for getClient; the double's client is below. */
export class BuildRestClient {}

export const buildClient = {
  getAttachments(project: string, buildId: number, type: string) {
    record("getAttachments", project, buildId, type);
    const scenario = hostDouble();
    if (scenario.failAttachments !== undefined) return Promise.reject(new Error(scenario.failAttachments));
    return Promise.resolve(
      scenario.attachments.map((attachment) => ({
        name: attachment.name,
        // The link form of the Build REST API's attachment list (Attachments - List).
        _links: {
          self: {
            href: `https://dev.azure.com/example/${project}/_apis/build/builds/${buildId}/${TIMELINE}/${attachment.recordId}/attachments/${type}/${encodeURIComponent(attachment.name)}`,
          },
        },
      })),
    );
  },
  getAttachment(
    project: string,
    buildId: number,
    timelineId: string,
    recordId: string,
    type: string,
    name: string,
  ): Promise<ArrayBuffer> {
    record("getAttachment", project, buildId, timelineId, recordId, type, name);
    const found = hostDouble().attachments.find((a) => a.recordId === recordId && a.name === name);
    if (found === undefined || timelineId !== TIMELINE)
      return Promise.reject(new Error(`no attachment ${name}`));
    return Promise.resolve(new TextEncoder().encode(found.text).buffer as ArrayBuffer);
  },
  getBuildTimeline(project: string, buildId: number) {
    record("getBuildTimeline", project, buildId);
    return Promise.resolve({ records: hostDouble().records });
  },
};
