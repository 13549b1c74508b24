/**
 * HTTP transport over undici: proxy (with credentials), custom CA, an explicit insecure opt-out, per-request
 * timeouts. A `Transport` is a plain function so tests can inject a fake one.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, type Dispatcher, ProxyAgent, request } from "undici";
import { QualysConfigError } from "./errors.js";

export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** 0 disables the timeout. */
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

export interface TransportOptions {
  /** Proxy URL, credentials allowed (`http://user:pass@proxy:3128`). */
  proxy?: string;
  /** PEM file of extra CA certificates. */
  caFile?: string;
  /** Skip TLS verification: an explicit, warned opt-out. */
  insecure?: boolean;
}

/** The proxy's Basic token (`Proxy-Authorization`) and the secret values it is made of, when the URL has credentials. */
function proxyCredentials(proxy: URL): { token: string; secrets: string[] } | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const password = decode(proxy.password);
  const base64 = Buffer.from(`${decode(proxy.username)}:${password}`, "utf8").toString("base64");
  return { token: `Basic ${base64}`, secrets: [...(password ? [password] : []), base64] };
}

/** Secret values of a proxy URL (its password and the base64 of its `user:password`), to mask in every output. */
export function proxySecrets(proxyUrl: string | undefined): string[] {
  if (!proxyUrl) return [];
  try {
    return proxyCredentials(new URL(proxyUrl))?.secrets ?? [];
  } catch {
    // Not a URL (the dispatcher reports that); its password may still be in it.
    const password = /:\/\/[^:/@\s]*:([^@\s]+)@/.exec(proxyUrl)?.[1];
    return password ? [password] : [];
  }
}

/** Build the undici dispatcher for these options. */
export function createDispatcher(options: TransportOptions): Dispatcher {
  let ca: string | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile, "utf8");
    } catch (error) {
      throw new QualysConfigError([`caFile: cannot read "${options.caFile}": ${(error as Error).message}`]);
    }
    // A file without a certificate would silently leave only the system CAs in place; refuse it.
    const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    const readable = blocks.every((block) => {
      try {
        new X509Certificate(block);
        return true;
      } catch {
        return false;
      }
    });
    if (blocks.length === 0 || !readable)
      throw new QualysConfigError([
        `caFile: "${options.caFile}" ${blocks.length === 0 ? "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" : "holds a PEM certificate that cannot be read"}`,
      ]);
  }
  const connect = { ...(ca ? { ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
  if (options.proxy) {
    let proxy: URL | undefined;
    try {
      proxy = new URL(options.proxy);
    } catch {
      proxy = undefined;
    }
    // undici proxies over HTTP CONNECT only: socks5:// (and `user:pass@host`, read as the scheme "user:") cannot work.
    if (!proxy || (proxy.protocol !== "http:" && proxy.protocol !== "https:"))
      throw new QualysConfigError([
        `proxy: ${proxy ? `the scheme "${proxy.protocol}" is not supported` : "not a URL"}; expected http:// or https://, e.g. http://user:password@proxy.example:3128`,
      ]);
    const token = proxyCredentials(proxy)?.token;
    proxy.username = "";
    proxy.password = "";
    return new ProxyAgent({
      uri: proxy.toString(),
      ...(token ? { token } : {}),
      requestTls: connect,
      proxyTls: connect,
    });
  }
  return new Agent({ connect, keepAliveTimeout: 10_000 });
}

/** A transport over undici with the given dispatcher. Network failures surface as undici errors (mapped by the client). */
export function undiciTransport(dispatcher: Dispatcher): Transport {
  return async (req) => {
    const response = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const body = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    return { status: response.statusCode, headers, body };
  };
}
