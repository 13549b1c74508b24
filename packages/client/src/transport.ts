/**
 * HTTP transport over undici: proxy (with credentials), custom CA, an explicit insecure opt-out, a total deadline
 * per request, an abort signal and a cap on the body's size. A `Transport` is a plain function so tests can inject
 * a fake one.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, type Dispatcher, ProxyAgent, request } from "undici";
import { QualysConfigError } from "./errors.js";
import { opt, optionMessage } from "./option-message.js";
import { deadlineSignal, longTimer } from "./timers.js";

export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Total deadline of the request, headers and body together (a server dripping one byte at a time does not
   * extend it); 0 disables it. On expiry the request fails with code ETIMEDOUT.
   */
  timeoutMs: number;
  /** Stops the request (code ABORT_ERR) when it aborts. */
  signal?: AbortSignal | undefined;
  /** Longest body read, in bytes; a longer one fails with code ERR_RESPONSE_TOO_LARGE. Undefined: no cap. */
  maxBytes?: number | undefined;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * A request whose body is read as a stream (report downloads). `timeoutMs` bounds the status line, the headers
 * and the head (the first `headBytes`); after that, `idleTimeoutMs` bounds each wait for the next chunk, so a
 * body of any size may take as long as it needs while a stalled server is still noticed. `maxBytes` applies
 * only where the body is buffered (`bufferedStreamTransport`); a streamed body has no cap.
 */
export interface HttpStreamRequest extends HttpRequest {
  /** Longest wait for the next chunk once the head has been read; 0 disables it. Expiry: code ETIMEDOUT. */
  idleTimeoutMs: number;
  /** Bytes to read before answering (fewer when the body is shorter; may be more, up to one chunk). */
  headBytes: number;
}

export interface HttpStreamResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The first bytes of the body, read within the request's deadline. */
  head: Buffer;
  /**
   * The rest of the body, chunk by chunk; iterate it once. Failures: TransportError ETIMEDOUT (idle timeout),
   * ABORT_ERR (the request's signal), or the network error.
   */
  rest: AsyncIterable<Uint8Array>;
  /** Stop reading and close the connection; safe to call more than once and after the end. */
  cancel(): void;
}

export type StreamTransport = (req: HttpStreamRequest) => Promise<HttpStreamResponse>;

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
      throw new QualysConfigError([
        optionMessage`${opt("caFile")}: cannot read "${options.caFile}": ${(error as Error).message}`,
      ]);
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
        optionMessage`${opt("caFile")}: "${options.caFile}" ${blocks.length === 0 ? "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" : "holds a PEM certificate that cannot be read"}`,
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
        optionMessage`${opt("proxy")}: ${proxy ? `the scheme "${proxy.protocol}" is not supported` : "not a URL"}; expected http:// or https://, e.g. http://user:password@proxy.example:3128`,
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

/** A transport failure with a Node-style code, which the client maps onto its error family (retry.ts). */
export class TransportError extends Error {
  constructor(
    readonly code: "ETIMEDOUT" | "ABORT_ERR" | "ERR_RESPONSE_TOO_LARGE",
    message: string,
    /** The cap, for ERR_RESPONSE_TOO_LARGE. */
    readonly limitBytes?: number,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

const DEADLINE = Symbol("request deadline");

/**
 * A transport over undici with the given dispatcher. Network failures surface as undici errors (mapped by the
 * client). undici's own headersTimeout/bodyTimeout are idle timers, reset by every byte, so the total deadline is
 * a real timer that aborts the request.
 */
export function undiciTransport(dispatcher: Dispatcher): Transport {
  return async (req) => {
    const deadline = req.timeoutMs > 0 ? deadlineSignal(req.timeoutMs, DEADLINE, req.signal) : undefined;
    const signal = deadline?.signal ?? req.signal;
    try {
      if (signal?.aborted) throw signal.reason;
      const response = await request(req.url, {
        dispatcher,
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        ...(signal ? { signal } : {}),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
      }
      const body = await readBody(response.body, headers["content-length"], req.maxBytes);
      return { status: response.statusCode, headers, body };
    } catch (error) {
      if (deadline?.signal.aborted && deadline.signal.reason === DEADLINE)
        throw new TransportError("ETIMEDOUT", `no complete answer within ${req.timeoutMs} ms`);
      if (req.signal?.aborted) throw new TransportError("ABORT_ERR", "the request was aborted");
      throw error;
    } finally {
      deadline?.clear();
    }
  };
}

/**
 * A streaming transport over undici. undici's own bodyTimeout is not used: it also fires while a slow consumer
 * holds the body back, whereas `idleTimeoutMs` here only runs while the reader waits for the server.
 */
export function undiciStreamTransport(dispatcher: Dispatcher): StreamTransport {
  return async (req) => {
    if (req.signal?.aborted) throw new TransportError("ABORT_ERR", "the request was aborted");
    const controller = new AbortController();
    let stopped: "deadline" | "idle" | "caller" | "cancel" | undefined;
    const stop = (why: NonNullable<typeof stopped>) => {
      if (stopped) return;
      stopped = why;
      controller.abort(why);
    };
    const onCaller = () => stop("caller");
    req.signal?.addEventListener("abort", onCaller, { once: true });
    const cancelDeadline = req.timeoutMs > 0 ? longTimer(req.timeoutMs, () => stop("deadline")) : () => {};
    const finish = () => {
      cancelDeadline();
      req.signal?.removeEventListener("abort", onCaller);
    };
    const failure = (error: unknown): unknown => {
      if (stopped === "deadline")
        return new TransportError("ETIMEDOUT", `no answer head within ${req.timeoutMs} ms`);
      if (stopped === "idle")
        return new TransportError("ETIMEDOUT", `no data for ${req.idleTimeoutMs} ms in the body`);
      if (stopped === "caller") return new TransportError("ABORT_ERR", "the request was aborted");
      return error;
    };

    let response: Dispatcher.ResponseData;
    try {
      response = await request(req.url, {
        dispatcher,
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: 0,
      });
    } catch (error) {
      finish();
      throw failure(error);
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    const body = response.body;
    const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    try {
      while (size < req.headBytes) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        chunks.push(next.value);
        size += next.value.length;
      }
    } catch (error) {
      finish();
      body.destroy();
      throw failure(error);
    }
    cancelDeadline();
    const close = () => {
      finish();
      if (!body.destroyed) body.destroy();
    };
    async function* rest(): AsyncGenerator<Uint8Array> {
      try {
        while (!ended) {
          const clearIdle =
            req.idleTimeoutMs > 0 ? longTimer(req.idleTimeoutMs, () => stop("idle")) : () => {};
          let next: IteratorResult<Buffer>;
          try {
            next = await iterator.next();
          } catch (error) {
            throw failure(error);
          } finally {
            clearIdle();
          }
          if (next.done) return;
          yield next.value;
        }
      } finally {
        close();
      }
    }
    return {
      status: response.statusCode,
      headers,
      head: Buffer.concat(chunks, size),
      rest: rest(),
      cancel: () => {
        stop("cancel");
        close();
      },
    };
  };
}

/**
 * A streaming transport over a plain one: the whole body arrives as the head (for fake transports in tests, and
 * for callers who inject their own `transport`).
 */
export function bufferedStreamTransport(transport: Transport): StreamTransport {
  return async (req) => {
    const { idleTimeoutMs: _idle, headBytes: _head, ...plain } = req;
    const response = await transport(plain);
    return {
      status: response.status,
      headers: response.headers,
      head: Buffer.from(response.body, "utf8"),
      rest: (async function* () {})(),
      cancel: () => {},
    };
  };
}

/** Read a body as UTF-8, refusing more than `maxBytes` (announced by Content-Length or counted as it arrives). */
async function readBody(
  body: Dispatcher.ResponseData["body"],
  contentLength: string | undefined,
  maxBytes: number | undefined,
): Promise<string> {
  const tooLarge = () =>
    new TransportError("ERR_RESPONSE_TOO_LARGE", `the response is larger than ${maxBytes} bytes`, maxBytes);
  if (maxBytes === undefined) return body.text();
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
