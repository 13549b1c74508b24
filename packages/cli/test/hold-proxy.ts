/**
 * A small HTTP proxy on 127.0.0.1 in front of the simulator, for tests that must act while a given request is in
 * flight: the first request matching `hold` is kept unanswered (as a hung server would) and `arrived` fires;
 * every other request is forwarded as is.
 */
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  body: string;
}

export interface HoldProxy {
  url: string;
  /** Every request that reached the proxy, in order. */
  seen: SeenRequest[];
  /** Hold the next request matching `match`; resolves when it arrives. */
  hold(match: (req: SeenRequest) => boolean): Promise<SeenRequest>;
  close(): Promise<void>;
}

export async function startHoldProxy(target: string): Promise<HoldProxy> {
  const upstream = new URL(target);
  const held: ServerResponse[] = [];
  let waiting: { match: (req: SeenRequest) => boolean; arrived: (req: SeenRequest) => void } | undefined;
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const info = { method: req.method ?? "GET", path: req.url ?? "/", body: body.toString("utf8") };
      seen.push(info);
      if (waiting?.match(info)) {
        const { arrived } = waiting;
        waiting = undefined;
        held.push(res);
        arrived(info);
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    hold: (match) =>
      new Promise((resolve) => {
        waiting = { match, arrived: resolve };
      }),
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
