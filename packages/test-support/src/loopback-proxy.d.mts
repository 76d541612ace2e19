import type { IncomingMessage } from "node:http";

/** Options of {@link startLoopbackProxy}. */
export interface LoopbackProxyOptions {
  targetPort: number | string;
  /** Named in the 502 answered when the target cannot be reached. */
  targetName: string;
  rewriteHeaders?: (rawHeaders: string[]) => string[];
  onRequest?: (req: IncomingMessage) => void;
}

/** A reverse proxy on 127.0.0.1 in front of 127.0.0.1:`targetPort`, streaming both ways. */
export declare function startLoopbackProxy(
  options: LoopbackProxyOptions,
): Promise<{ origin: string; close: () => Promise<void> }>;
