/**
 * Runs a data source of the Qualys service connection type (vss-extension.json) the way the Azure DevOps server
 * runs one for a task form's pick list: the endpoint URL template filled in, the verb, body and headers sent with
 * the connection's Basic credentials, the result selector applied (jsonpath: with jsonpath-plus, xpath: with
 * xpath over @xmldom/xmldom), then the binding's result template for each selected item.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DOMParser } from "@xmldom/xmldom";
import { JSONPath } from "jsonpath-plus";
import { Agent, fetch } from "undici";
import xpath from "xpath";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface DataSource {
  name: string;
  endpointUrl: string;
  requestVerb?: string;
  requestContent?: string;
  headers?: { name: string; value: string }[];
  resultSelector: string;
}

export interface DataSourceBinding {
  target: string;
  endpointId: string;
  dataSourceName: string;
  resultTemplate?: string;
}

/** One entry of a pick list: what the form shows and what it stores. */
export interface PickListEntry {
  Value: string;
  DisplayValue: string;
}

interface Contribution {
  id: string;
  type: string;
  properties: { dataSources?: DataSource[] } & Record<string, unknown>;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(PACKAGE_DIR, file), "utf8")) as T;
}

/** The data sources the endpoint type declares. */
export function endpointDataSources(): DataSource[] {
  const manifest = readJson<{ contributions: Contribution[] }>("vss-extension.json");
  const endpoint = manifest.contributions.find((c) => c.type === "ms.vss-endpoint.service-endpoint-type");
  if (!endpoint?.properties.dataSources) throw new Error("no service endpoint type with data sources");
  return endpoint.properties.dataSources;
}

/** A task's binding for an input. */
export function bindingOf(task: string, target: string): DataSourceBinding {
  const json = readJson<{ dataSourceBindings: DataSourceBinding[] }>(`tasks/${task}/task.json`);
  const binding = json.dataSourceBindings.find((b) => b.target === target);
  if (!binding) throw new Error(`${task} has no data source binding for ${target}`);
  return binding;
}

/**
 * Mustache as the templates use it: `{{a.b}}` and `{{{a.b}}}` replaced by the value at that path (a missing value
 * is empty). Values land in a JSON string of the template, so quotes and backslashes are escaped to keep it JSON.
 */
export function renderTemplate(template: string, data: unknown, jsonString = false): string {
  return template.replace(/\{\{\{?\s*([\w.]+)\s*\}?\}\}/g, (_, key: string) => {
    let value: unknown = data;
    for (const part of key.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
    const text = value === undefined || value === null ? "" : String(value);
    return jsonString ? JSON.stringify(text).slice(1, -1) : text;
  });
}

/** Run the data source a binding names against `endpoint`; an HTTP error is thrown, as the server reports it. */
export async function runDataSource(
  binding: DataSourceBinding,
  endpoint: { url: string; username: string; password: string },
): Promise<PickListEntry[]> {
  const source = endpointDataSources().find((s) => s.name === binding.dataSourceName);
  if (!source) throw new Error(`no data source ${binding.dataSourceName}`);
  const url = renderTemplate(source.endpointUrl, { endpoint: { url: endpoint.url } });
  const headers: Record<string, string> = {
    Authorization: `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString("base64")}`,
  };
  for (const header of source.headers ?? []) headers[header.name] = header.value;
  // A connection of its own: a kept-alive one may have been closed by the server while a task ran synchronously.
  const dispatcher = new Agent();
  let text: string;
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await fetch(url, {
      method: (source.requestVerb ?? "GET").toUpperCase(),
      headers,
      dispatcher,
      ...(source.requestContent !== undefined ? { body: source.requestContent } : {}),
    });
    text = await response.text();
  } finally {
    await dispatcher.close();
  }
  if (!response.ok) throw new Error(`${source.name}: HTTP ${response.status}`);
  let items: unknown[];
  if (source.resultSelector.startsWith("jsonpath:")) {
    items = JSONPath({
      path: source.resultSelector.slice("jsonpath:".length),
      json: JSON.parse(text),
      wrap: true,
    });
  } else if (source.resultSelector.startsWith("xpath:")) {
    const document = new DOMParser().parseFromString(text, "text/xml");
    const nodes = xpath.select(source.resultSelector.slice("xpath:".length), document as unknown as Node);
    items = (Array.isArray(nodes) ? nodes : []).map((node) => (node as Node).textContent ?? "");
  } else throw new Error(`${source.name}: unknown selector ${source.resultSelector}`);
  return items.map((item) => {
    if (binding.resultTemplate === undefined) return { Value: String(item), DisplayValue: String(item) };
    return JSON.parse(renderTemplate(binding.resultTemplate, item, true)) as PickListEntry;
  });
}
