import { bodyLimit } from "hono/body-limit";
import { RequestError } from "../http/errors";

/** Largest request body accepted on /mcp and /v1, in bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Refuses a body over {@link MAX_REQUEST_BYTES}: 413 `payload_too_large`. */
export function requestBodyLimit() {
  return bodyLimit({
    maxSize: MAX_REQUEST_BYTES,
    onError: () => {
      throw new RequestError(
        "payload_too_large",
        `the request body exceeds ${MAX_REQUEST_BYTES} bytes`,
        413,
      );
    },
  });
}
