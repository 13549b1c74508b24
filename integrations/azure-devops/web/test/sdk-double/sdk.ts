/** Stand-in for azure-devops-extension-sdk in the browser tests (see host-double.ts). */

import { hostDouble, record } from "./host-double.js";

export function init(options?: { loaded?: boolean; applyTheme?: boolean }): Promise<void> {
  record("init", options);
  return Promise.resolve();
}

export function ready(): Promise<void> {
  record("ready");
  return Promise.resolve();
}

export function notifyLoadSucceeded(): Promise<void> {
  record("notifyLoadSucceeded");
  return Promise.resolve();
}

export function notifyLoadFailed(reason: Error | string): Promise<void> {
  record("notifyLoadFailed", String(reason));
  return Promise.resolve();
}

export function resize(): void {
  record("resize");
}

export function getExtensionContext(): { publisherId: string; extensionId: string; id: string } {
  const { publisherId, extensionId } = hostDouble().extension;
  return { publisherId, extensionId, id: `${publisherId}.${extensionId}` };
}

export function getService<T>(id: string): Promise<T> {
  record("getService", id);
  const scenario = hostDouble();
  const services: Record<string, unknown> = {
    "ms.vss-build-web.build-page-data-service": {
      getBuildPageData: () => ({ build: { id: scenario.buildId } }),
    },
    "ms.vss-tfs-web.tfs-page-data-service": {
      getProject: () => Promise.resolve({ id: scenario.projectId, name: "demo" }),
    },
    "ms.vss-features.host-navigation-service": {
      setQueryParams: (parameters: Record<string, string>) => record("setQueryParams", parameters),
    },
  };
  const service = services[id];
  if (service === undefined) return Promise.reject(new Error(`the host double has no service ${id}`));
  return Promise.resolve(service as T);
}
