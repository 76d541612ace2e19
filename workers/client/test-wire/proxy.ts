import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link startBrowserProxy}. */
export interface BrowserProxyOptions {
  /** Origin the browser uses → origin it really reaches. */
  aliases: Record<string, string>;
}

/**
 * A forward HTTP proxy on 127.0.0.1 for the test browser: it sends `http://localhost:3000` (the
 * static client's registered origin) to the client's real port, and can rewrite a URL on the way
 * (to tamper with a parameter the way an attacker would).
 */
export async function startBrowserProxy(options: BrowserProxyOptions) {
  let rewrite: ((url: URL) => URL) | undefined;
  const server = createServer((incoming, outgoing) => {
    let url = new URL(incoming.url ?? "/");
    if (rewrite) url = rewrite(url);
    const target = new URL(
      `${url.pathname}${url.search}`,
      options.aliases[url.origin] ?? url.origin,
    );
    const upstream = request(
      target,
      { method: incoming.method, headers: { ...incoming.headers, host: url.host } },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on("error", () => {
      outgoing.writeHead(502).end();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server: `http://127.0.0.1:${port}`,
    /** Rewrites every URL that passes until the next call (`undefined` stops). */
    setRewrite(next: ((url: URL) => URL) | undefined) {
      rewrite = next;
    },
    dispose: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
