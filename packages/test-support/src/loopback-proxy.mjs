// A reverse proxy on loopback, for what the bench counts and what the conformance runs add.
import http from "node:http";

/**
 * A reverse proxy on 127.0.0.1 in front of 127.0.0.1:`targetPort`. It forwards each request as it
 * came (method, path, headers, body), its raw headers first passed through `rewriteHeaders` when
 * given, and streams the bodies both ways, so that an SSE response passes event by event.
 * `onRequest(req)` sees each request before it is forwarded. When the target cannot be reached it
 * answers 502 naming `targetName`; cut short mid-response, the client sees the stream break, as it
 * would without the proxy.
 * @param {{targetPort: number | string, targetName: string, rewriteHeaders?: (rawHeaders: string[]) => string[], onRequest?: (req: http.IncomingMessage) => void}} options
 * @returns {Promise<{origin: string, close: () => Promise<void>}>}
 */
export function startLoopbackProxy(options) {
  const server = http.createServer((req, res) => {
    options.onRequest?.(req);
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: options.targetPort,
        method: req.method,
        path: req.url,
        headers: options.rewriteHeaders ? options.rewriteHeaders(req.rawHeaders) : req.rawHeaders,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.statusMessage, response.rawHeaders);
        // Each chunk as it comes: a client may read SSE events while the stream is open.
        res.flushHeaders();
        response.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (res.headersSent) return res.destroy(error);
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`the proxy could not reach ${options.targetName}: ${error.message}`);
    });
    // The client closing a stream closes the target's too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
