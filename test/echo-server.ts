/**
 * A Qualys stand-in for secret-leak tests: it lets the client log in (VM session cookie, gateway token), then
 * answers every API call with an error whose text echoes what it was sent, the way a debugging proxy or a
 * verbose error page does: the request's headers, a JSON body with "authorization", "clientSecret" and
 * "password" members, the form fields it received and the decoded Basic credentials. It is also an HTTP proxy
 * (CONNECT or absolute-form requests), remembering the Proxy-Authorization it was given and echoing it too.
 */

import { createServer, type IncomingMessage, type Server } from "node:http";
import net from "node:net";

export interface EchoServer {
  url: string;
  /** The proxy URL of this server, with these credentials. */
  proxyUrl(username: string, password: string): string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  /** Forget what was sent so far (each test's client echoes only its own secrets). */
  reset(): void;
  close(): Promise<void>;
}

export interface EchoOptions {
  /** Value of the QualysSession cookie handed out at login. */
  session: string;
  /** The gateway token (`/auth`, `/auth/oidc`). */
  token: string;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => resolve(body));
  });
}

export async function startEchoServer(options: EchoOptions): Promise<EchoServer> {
  const requests: string[] = [];
  const seen = { forms: [] as string[], headers: new Map<string, string>() };

  const echo = (req: IncomingMessage, body: string): string => {
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string" && name !== "content-length") seen.headers.set(name, value);
    if (body) seen.forms.push(body);
    const headerLines = [...seen.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
    const basic = /^basic\s+(\S+)/i.exec(seen.headers.get("authorization") ?? "")?.[1];
    const decoded = basic ? Buffer.from(basic, "base64").toString("utf8") : "";
    const password = decoded.slice(decoded.indexOf(":") + 1);
    const json = JSON.stringify({
      authorization: seen.headers.get("authorization") ?? "",
      "proxy-authorization": seen.headers.get("proxy-authorization") ?? "",
      clientSecret: seen.headers.get("clientsecret") ?? "",
      password,
      cookie: seen.headers.get("cookie") ?? "",
    });
    return [
      `request rejected: ${req.method} ${req.url}`,
      headerLines,
      `body: ${json}`,
      `form: ${seen.forms.join("&")}`,
      `credentials: ${decoded} query: password=${encodeURIComponent(password)}`,
      `bare: ${basic ?? ""} ${(seen.headers.get("proxy-authorization") ?? "").replace(/^basic\s+/i, "")}`,
    ].join("\n");
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}`);
    const form = new URLSearchParams(body);
    if (url.pathname === "/api/2.0/fo/session/" && form.get("action") === "login") {
      echo(req, body);
      res.writeHead(200, { "set-cookie": `QualysSession=${options.session}; path=/api; secure` });
      res.end("<SIMPLE_RETURN><RESPONSE><TEXT>Logged in</TEXT></RESPONSE></SIMPLE_RETURN>");
      return;
    }
    if (url.pathname === "/api/2.0/fo/session/") {
      res.writeHead(200).end("<SIMPLE_RETURN><RESPONSE><TEXT>Logged out</TEXT></RESPONSE></SIMPLE_RETURN>");
      return;
    }
    if (url.pathname === "/auth" || url.pathname === "/auth/oidc") {
      echo(req, body);
      res
        .writeHead(url.pathname === "/auth" ? 201 : 200, { "content-type": "text/plain" })
        .end(options.token);
      return;
    }
    const text = echo(req, body);
    if (url.pathname.startsWith("/api/")) {
      // VM v2: a refusal with HTTP 200 and a SIMPLE_RETURN whose TEXT is the echo (docs/qualys-api.md 4.2).
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8" ?><SIMPLE_RETURN><RESPONSE><CODE>999</CODE><TEXT>${xml(text)}</TEXT></RESPONSE></SIMPLE_RETURN>`,
      );
      return;
    }
    if (url.pathname.startsWith("/qps/")) {
      // QPS: a ServiceResponse refusal whose error message is the echo (docs/qualys-api.md 3.6).
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ServiceResponse><responseCode>INVALID_REQUEST</responseCode><responseErrorDetails><errorMessage>${xml(text)}</errorMessage></responseErrorDetails></ServiceResponse>`,
      );
      return;
    }
    // Anything else: a proxy-style error page, plain text.
    res.writeHead(502, { "content-type": "text/plain" }).end(text);
  });

  // As a proxy: tunnel CONNECT to this same server, remembering the proxy's credentials for the echo.
  server.on("connect", (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    const proxyAuthorization = req.headers["proxy-authorization"];
    if (typeof proxyAuthorization === "string") seen.headers.set("proxy-authorization", proxyAuthorization);
    const address = server.address() as net.AddressInfo;
    const upstream = net.connect(address.port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proxyUrl: (username, password) =>
      `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0;
      seen.forms.length = 0;
      seen.headers.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
