// The token-adding proxy the server suite reaches mcp-rs through: the suite has no option for an
// Authorization header.
import { startLoopbackProxy } from "@mcp-cognito-workers/test-support/loopback-proxy";

/**
 * A reverse proxy on 127.0.0.1 in front of `target` (`http://localhost:<port>`): it adds
 * `Authorization: Bearer <token>` to every request and sets `Host` to the target's, and forwards
 * everything else as it came (method, path, other headers, `Origin` included, and the bodies,
 * streamed both ways so that an SSE response reaches the suite event by event).
 * @param {{target: URL, token: string}} options
 * @returns {Promise<{origin: string, close: () => Promise<void>}>}
 */
export function startBearerProxy(options) {
  return startLoopbackProxy({
    targetPort: options.target.port,
    targetName: "mcp-rs",
    rewriteHeaders: (rawHeaders) => {
      const headers = [];
      for (let i = 0; i < rawHeaders.length; i += 2) {
        const name = rawHeaders[i].toLowerCase();
        if (name !== "host" && name !== "authorization")
          headers.push(rawHeaders[i], rawHeaders[i + 1]);
      }
      headers.push("host", options.target.host, "authorization", `Bearer ${options.token}`);
      return headers;
    },
  });
}
