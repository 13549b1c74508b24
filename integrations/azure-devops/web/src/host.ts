/**
 * Everything the views ask of Azure DevOps, through the extension SDK: the handshake with the host page, the
 * current build, its `qualys-gate-result` attachments (one per gate task run) and the names of the tasks that
 * attached them, the extension's own ids (for the link from the section to the tab) and the host's navigation.
 * https://learn.microsoft.com/en-us/azure/devops/extend/develop/add-build-tab
 */

import { getClient, type IHostNavigationService, type IProjectPageService } from "azure-devops-extension-api";
import {
  type Attachment,
  BuildRestClient,
  type IBuildPageDataService,
} from "azure-devops-extension-api/Build";
import * as SDK from "azure-devops-extension-sdk";

/**
 * The host services used, by id. The API package declares these ids as `const enum`s, which an isolated-module
 * build cannot inline, so they are written out (CommonServiceIds and BuildServiceIds of azure-devops-extension-api).
 */
const SERVICES = {
  hostNavigation: "ms.vss-features.host-navigation-service",
  projectPage: "ms.vss-tfs-web.tfs-page-data-service",
  buildPageData: "ms.vss-build-web.build-page-data-service",
} as const;

/** The attachment type the gate task gives result.json (`##vso[task.addattachment type=qualys-gate-result;…]`). */
export const RESULT_ATTACHMENT_TYPE = "qualys-gate-result";

/** The contribution id (last part) of the build results tab, as the extension manifest declares it. */
export const TAB_CONTRIBUTION = "qualys-build-results-tab";

/** One result.json attached to the build, as text, with the name of the task run that attached it when known. */
export interface ResultAttachment {
  /** The attachment's file name (ends in .json). */
  name: string;
  /** The display name of the timeline record (the task step) that attached it. */
  taskName: string | undefined;
  text: string;
}

/** The host page, once the SDK handshake is done. */
export interface Host {
  /** Every result attachment of the current build, in the order the build lists them. */
  resultAttachments(): Promise<ResultAttachment[]>;
  /** Shows the Qualys tab of the current build; undefined when the host cannot tell the extension's ids. */
  openTab: (() => void) | undefined;
  /** Tells the host the view has content (its frame becomes visible), then sizes the frame to it. */
  loaded(): void;
  /** Tells the host the view could not load, with the reason. */
  failed(reason: string): void;
  /** Sizes the frame to the content (the Summary section's frame does not grow by itself). */
  resize(): void;
}

/**
 * The ids in an attachment's `self` link, `…/builds/{buildId}/{timelineId}/{recordId}/attachments/{type}/{name}`:
 * `getAttachment` needs them and the attachment list gives only the link (Build REST API, "Attachments - List").
 */
export function attachmentIds(
  attachment: Attachment,
): { timelineId: string; recordId: string; name: string } | undefined {
  const href: unknown = attachment._links?.self?.href;
  if (typeof href !== "string") return undefined;
  const match = /\/builds\/\d+\/([^/]+)\/([^/]+)\/attachments\/[^/]+\/([^/?#]+)/.exec(href);
  if (match === null) return undefined;
  const [, timelineId, recordId, name] = match;
  if (timelineId === undefined || recordId === undefined || name === undefined) return undefined;
  return { timelineId, recordId, name: decodeURIComponent(name) };
}

/** Starts the SDK handshake (the view reports its own load) and returns the host once it is ready. */
export async function connectHost(): Promise<Host> {
  // loaded: false: the host keeps its spinner until notifyLoadSucceeded, so a half-drawn view never shows.
  // applyTheme: false: the SDK would add the theme as an inline <style>, which the page's CSP refuses; the views
  // use the report's own light colours.
  SDK.init({ loaded: false, applyTheme: false });
  await SDK.ready();
  const navigation = await SDK.getService<IHostNavigationService>(SERVICES.hostNavigation);
  const extension = SDK.getExtensionContext();
  const tabId =
    extension.publisherId && extension.extensionId
      ? `${extension.publisherId}.${extension.extensionId}.${TAB_CONTRIBUTION}`
      : undefined;
  return {
    resultAttachments,
    openTab: tabId === undefined ? undefined : () => navigation.setQueryParams({ view: tabId }),
    loaded: () => {
      void SDK.notifyLoadSucceeded().then(() => SDK.resize());
    },
    failed: (reason) => {
      void SDK.notifyLoadFailed(reason);
    },
    resize: () => SDK.resize(),
  };
}

async function resultAttachments(): Promise<ResultAttachment[]> {
  const pageData = await SDK.getService<IBuildPageDataService>(SERVICES.buildPageData);
  const build = pageData.getBuildPageData()?.build;
  const projects = await SDK.getService<IProjectPageService>(SERVICES.projectPage);
  const project = await projects.getProject();
  if (build === undefined || project === undefined) {
    throw new Error("the host page gave no build or project: open this view from a pipeline run");
  }
  const client = getClient(BuildRestClient);
  const attachments = await client.getAttachments(project.id, build.id, RESULT_ATTACHMENT_TYPE);
  if (attachments.length === 0) return [];
  // Task names from the timeline; without them each result is headed by its scan alone.
  const names = new Map<string, string>();
  try {
    const timeline = await client.getBuildTimeline(project.id, build.id);
    for (const record of timeline?.records ?? []) names.set(record.id, record.name);
  } catch {
    // The timeline is a nicety: the results themselves still show.
  }
  const results: ResultAttachment[] = [];
  for (const attachment of attachments) {
    const ids = attachmentIds(attachment);
    if (ids === undefined) throw new Error(`attachment ${attachment.name} has no download link`);
    const body = await client.getAttachment(
      project.id,
      build.id,
      ids.timelineId,
      ids.recordId,
      RESULT_ATTACHMENT_TYPE,
      ids.name,
    );
    results.push({
      name: attachment.name,
      taskName: names.get(ids.recordId),
      text: new TextDecoder().decode(body),
    });
  }
  return results;
}
