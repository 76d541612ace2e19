import type { McpServer } from "@modelcontextprotocol/server";
import type { McpCaller, McpCallerSeat } from "./server";

/** How many idle servers a pool keeps; a server returned beyond that is left to the collector. */
const MAX_IDLE_SERVERS = 32;

/** What a pool lends a server for: one exchange, of one caller. */
export interface McpExchange {
  caller: McpCaller;
  /**
   * Whether the exchange may be served by a server that served others before, and the server
   * serve others after it: it leaves nothing on the server that the next such exchange does not
   * overwrite. Any other exchange gets a server of its own, dropped afterwards.
   */
  reusable: boolean;
}

/** The exchange a pooled server is lent to, and how many of its handlers still run. */
interface Lease extends McpExchange {
  running: number;
}

interface PooledServer {
  server: McpServer;
  lease: Lease | undefined;
}

/**
 * Servers of one protocol era, built on demand and lent to one exchange at a time, so that a
 * request does not pay for building the server definition. A server is lent with its exchange's
 * caller, which its handlers read through their {@link McpCallerSeat}. Only `reusable` exchanges
 * share servers; when the transport of one closes, its server comes back to the pool unless a
 * handler of the exchange still runs (as when the client went away: the handler could yet send a
 * notification through the server), in which case the server is dropped.
 */
export class McpServerPool {
  readonly #idle: PooledServer[] = [];
  readonly #build: (seat: McpCallerSeat) => McpServer;

  /** `build` makes a server whose handlers act for the caller their seat gives them. */
  constructor(build: (seat: McpCallerSeat) => McpServer) {
    this.#build = build;
  }

  /** A server for `exchange` until its transport closes: an idle one if it is `reusable`. */
  lend(exchange: McpExchange): McpServer {
    const pooled = (exchange.reusable ? this.#idle.pop() : undefined) ?? this.#create();
    pooled.lease = { ...exchange, running: 0 };
    return pooled.server;
  }

  #create(): PooledServer {
    const seat: McpCallerSeat = {
      run: async (work) => {
        const lease = pooled.lease;
        if (!lease) throw new TypeError("an MCP handler ran on a server that serves no exchange");
        lease.running++;
        try {
          return await work(lease.caller);
        } finally {
          lease.running--;
        }
      },
    };
    const pooled: PooledServer = { server: this.#build(seat), lease: undefined };
    // Called once the transport of an exchange has closed and the server is disconnected.
    // createMcpHandler puts its own hook in front of this one for an exchange and restores it.
    pooled.server.server.onclose = () => this.#settle(pooled);
    return pooled;
  }

  #settle(pooled: PooledServer): void {
    const lease = pooled.lease;
    pooled.lease = undefined;
    if (lease?.reusable && lease.running === 0 && this.#idle.length < MAX_IDLE_SERVERS)
      this.#idle.push(pooled);
  }
}
