/**
 * Tests never touch the internet: any socket to an address outside the loopback range fails the test at once.
 * (Loaded by vitest.config.ts as a setup file in every test worker.)
 */
import net from "node:net";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;
const originalConnect = net.Socket.prototype.connect;

function targetHost(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return targetHost(first);
  if (first && typeof first === "object") {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === "string") return "localhost"; // Unix socket
    return typeof options.host === "string" ? options.host : "localhost";
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return "localhost"; // Unix socket path
  return typeof args[1] === "string" ? args[1] : "localhost";
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = targetHost(args);
  if (host !== undefined && !LOOPBACK.test(host)) {
    throw new Error(
      `test tried to connect to ${host}: tests may only reach 127.0.0.1 (see test/setup-no-network.ts)`,
    );
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
