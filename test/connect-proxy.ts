/**
 * An HTTP CONNECT proxy on 127.0.0.1 for tests of proxy settings: it asks for Basic credentials (407 without the
 * right ones), tunnels only to loopback (403 elsewhere), and records each CONNECT it was asked for.
 */

import { createServer } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  /** Every CONNECT request, in order: its target (`host:port`) and the Proxy-Authorization header sent. */
  seen: { target: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export async function startConnectProxy(credentials: {
  username: string;
  password: string;
}): Promise<ConnectProxy> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const seen: ConnectProxy["seen"] = [];
  const proxy = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on("connect", (req, socket: Socket, head: Buffer) => {
    const authorization = req.headers["proxy-authorization"];
    seen.push({ target: String(req.url), authorization });
    if (authorization !== expected) {
      socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      return;
    }
    const [host, port] = String(req.url).split(":");
    if (host !== "127.0.0.1") {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
