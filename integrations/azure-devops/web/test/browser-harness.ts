/**
 * The harness of the browser tests: Debian's Chromium driven by playwright-core (no browser is downloaded), a
 * loopback HTTP server for the built views and report.html, and a page watcher that records every dialog,
 * console error, uncaught error, CSP violation and request, so a test can assert that nothing ran or left.
 */

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's package (`apt-get install chromium`); .ci/run installs it when absent. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when the browser tests can run here; in CI (CI=true) a missing Chromium is an error, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") {
    throw new Error(
      `${CHROMIUM} is missing: CI must run the browser tests (.ci/run installs the chromium package)`,
    );
  }
  return false;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

export interface StaticServer {
  origin: string;
  /** Paths requested, in order. */
  requested: string[];
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` (flat: names only) on 127.0.0.1; anything else is a 404. `headers` go with every
 * file (a Content-Security-Policy, say).
 */
export async function serveFolder(
  dir: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<StaticServer> {
  const requested: string[] = [];
  const server: Server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname).slice(1);
    // Chromium asks for a favicon on its own, not on the page's behalf; an empty answer keeps the console clean.
    if (name === "favicon.ico") {
      response.writeHead(204).end();
      return;
    }
    requested.push(`/${name}`);
    const type = CONTENT_TYPES[path.extname(name)];
    const file = path.join(dir, path.basename(name));
    if (type === undefined || name.includes("/") || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { ...headers, "content-type": type, "cache-control": "no-store" })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requested,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A fresh Chromium profile, headless, with nothing that talks to the network on its own. */
export function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(path.join(tmpdir(), "qualys-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1200, height: 900 },
  });
}

export interface PageEvents {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

/**
 * Records what a page does. CSP violations are collected by the page itself (an init script listening for
 * `securitypolicyviolation`), read with `violations(page)`.
 */
export function watch(page: Page): PageEvents {
  const events: PageEvents = { dialogs: [], consoleErrors: [], pageErrors: [], requests: [] };
  page.on("dialog", (dialog) => {
    events.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") events.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => events.pageErrors.push(error.message));
  page.on("request", (request) => events.requests.push(request.url()));
  return events;
}

/** Installs the CSP violation recorder; call before the page loads. */
export async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
}

export function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

/**
 * How many pixels of a PNG are within `tolerance` of each colour: the screenshot decoded by Chromium itself in a
 * blank page (a canvas), so the assertions are about what was drawn, not about the DOM.
 */
export async function colourCounts(
  context: BrowserContext,
  png: Buffer,
  colours: Readonly<Record<string, readonly [number, number, number]>>,
  tolerance = 8,
): Promise<{ width: number; height: number; distinct: number; counts: Record<string, number> }> {
  const page = await context.newPage();
  try {
    return await page.evaluate(
      async ({ data, colours, tolerance }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${data}`;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context2d = canvas.getContext("2d");
        if (context2d === null) throw new Error("no 2d context");
        context2d.drawImage(image, 0, 0);
        const pixels = context2d.getImageData(0, 0, canvas.width, canvas.height).data;
        const counts: Record<string, number> = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
        const distinct = new Set<number>();
        for (let i = 0; i < pixels.length; i += 4) {
          const r = pixels[i] ?? 0;
          const g = pixels[i + 1] ?? 0;
          const b = pixels[i + 2] ?? 0;
          distinct.add((r << 16) | (g << 8) | b);
          for (const [name, [cr, cg, cb]] of Object.entries(colours)) {
            if (
              Math.abs(r - cr) <= tolerance &&
              Math.abs(g - cg) <= tolerance &&
              Math.abs(b - cb) <= tolerance
            )
              counts[name] = (counts[name] ?? 0) + 1;
          }
        }
        return { width: canvas.width, height: canvas.height, distinct: distinct.size, counts };
      },
      { data: png.toString("base64"), colours, tolerance },
    );
  } finally {
    await page.close();
  }
}
