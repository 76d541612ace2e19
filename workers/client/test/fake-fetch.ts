/** A fake network: each URL (without query) answers from its handler; every call is recorded. */
export interface FakeFetch {
  fetch: typeof fetch;
  calls: Request[];
  /** The recorded calls to `url`. */
  callsTo(url: string): Request[];
}

type Handler = (request: Request) => Response | Promise<Response>;

/** Builds a fake fetch; a call to an unknown URL throws, so a stray request fails the test. */
export function createFakeFetch(routes: Record<string, Handler>): FakeFetch {
  const calls: Request[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push(request.clone());
    const url = new URL(request.url);
    const handler = routes[`${url.origin}${url.pathname}`];
    if (!handler) throw new Error(`unexpected request to ${request.url}`);
    return handler(request);
  };
  return {
    fetch: fake as typeof fetch,
    calls,
    callsTo: (url) =>
      calls.filter((call) => `${new URL(call.url).origin}${new URL(call.url).pathname}` === url),
  };
}

/** A JSON response. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, init);
}

/** A 404. */
export function notFound(): Response {
  return new Response("not found", { status: 404 });
}

/** An unsigned-looking JWT (oauth4webapi checks ID-token claims, not signatures, on token responses). */
export function buildIdToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "RS256", typ: "JWT", kid: "k" })}.${encode(claims)}.c2lnbmF0dXJl`;
}
