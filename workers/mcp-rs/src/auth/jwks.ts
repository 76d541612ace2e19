import { isJsonObject, logEvent } from "@mcp-cognito-workers/http";
import {
  type CompactJWSHeaderParameters,
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import { RequestError } from "../http/errors";
import type { KeySetStamp } from "./verified-tokens";

/** Least time between two fetches of the JWKS, so that tokens with random `kid`s cannot hammer Cognito. */
export const JWKS_COOLDOWN_SECONDS = 30;
/** Age after which the JWKS is fetched again (when a request comes); last good keys are kept if that fails. */
export const JWKS_MAX_AGE_SECONDS = 3600;
/** How long a fetch of discovery or of the JWKS may take. */
export const UPSTREAM_TIMEOUT_MS = 5000;

/** Options of {@link JwksCache}. */
export interface JwksCacheOptions {
  /** Cognito's issuer; its discovery document names the JWKS. */
  issuer: string;
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Sends the OIDC discovery request for an issuer. @see OpenID Connect Discovery 1.0 §4 */
export function discoveryRequest(issuer: string, fetchFn: typeof fetch): Promise<Response> {
  return fetchFn(`${issuer}/.well-known/openid-configuration`, {
    headers: { accept: "application/json" },
    // A redirect is an answer like any other non-200: refused, never followed.
    redirect: "manual",
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
  });
}

/**
 * Checks a discovery response: its `issuer` must be exactly ours, and `jwks_uri` must sit under
 * the issuer (Cognito's is `<issuer>/.well-known/jwks.json`), so that a tampered or mistaken
 * document cannot point the key fetch anywhere else; returns `jwks_uri`.
 * @see OpenID Connect Discovery 1.0 §4.3
 */
export async function processDiscoveryResponse(res: Response, issuer: string): Promise<string> {
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isJsonObject(body)) throw new Error("discovery document is not a JSON object");
  if (body.issuer !== issuer) throw new Error('"issuer" of the discovery document does not match');
  if (typeof body.jwks_uri !== "string" || !URL.canParse(body.jwks_uri))
    throw new Error('"jwks_uri" must be an absolute URL');
  const jwksUri = new URL(body.jwks_uri);
  if (
    jwksUri.href !== body.jwks_uri ||
    jwksUri.origin !== new URL(issuer).origin ||
    !jwksUri.pathname.startsWith(`${new URL(issuer).pathname.replace(/\/+$/, "")}/`)
  )
    throw new Error('"jwks_uri" must be under the issuer');
  return body.jwks_uri;
}

/** Sends the JWKS request. */
export function jwksRequest(jwksUri: string, fetchFn: typeof fetch): Promise<Response> {
  return fetchFn(jwksUri, {
    headers: { accept: "application/json" },
    redirect: "manual",
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
  });
}

/** Checks a JWKS response and keeps its RSA signing keys. @see RFC 7517 §5 */
export async function processJwksResponse(res: Response): Promise<JSONWebKeySet> {
  if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isJsonObject(body) || !Array.isArray(body.keys))
    throw new Error('"keys" must be an array of JWKs');
  const keys = body.keys.filter(
    (key): key is JSONWebKeySet["keys"][number] =>
      isJsonObject(key) && key.kty === "RSA" && (key.use === undefined || key.use === "sig"),
  );
  return { keys };
}

/**
 * Cognito's signing keys, kept across requests: fetched on first use, fetched once more when a
 * token names an unknown `kid` (at most once per cooldown since the last such fetch), refreshed
 * when old, and kept as they were when Cognito cannot be reached.
 */
export class JwksCache {
  /** Fetches of discovery and JWKS made so far, for the `jwks_fetched` log line. */
  fetchCount = 0;
  readonly #options: JwksCacheOptions;
  #jwksUri: string | undefined;
  #keySet: JWTVerifyGetKey | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  // Paced apart from #attemptedAt: a key rotated in just after the first or hourly fetch must not
  // wait out a cooldown that no unknown kid started.
  #unknownKidFetchedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;
  #keySetVersion = 0;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** Which key set is current and when it is due to be fetched again (for reusing verifications). */
  get keySetStamp(): KeySetStamp {
    return {
      version: this.#keySetVersion,
      refreshDueAt: this.#fetchedAt + JWKS_MAX_AGE_SECONDS * 1000,
    };
  }

  /** A jose key resolver for `jwtVerify`. */
  readonly getKey = async (
    header: CompactJWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<CryptoKey> => {
    const ageMs = this.#options.now() - this.#fetchedAt;
    if (
      !this.#keySet ||
      (ageMs >= JWKS_MAX_AGE_SECONDS * 1000 && this.#cooledDown(this.#attemptedAt))
    )
      await this.#refresh();
    try {
      return (await this.#current()(header, token)) as CryptoKey;
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A key Cognito rotated in since the last fetch: wait for the fetch under way, or start one.
      if (this.#pending) await this.#pending;
      else if (this.#cooledDown(this.#unknownKidFetchedAt)) {
        this.#unknownKidFetchedAt = this.#options.now();
        await this.#refresh();
      } else throw error;
      return (await this.#current()(header, token)) as CryptoKey;
    }
  };

  #current(): JWTVerifyGetKey {
    if (!this.#keySet)
      throw new RequestError(
        "temporarily_unavailable",
        "the authorization server's keys cannot be fetched",
        503,
        { "retry-after": String(JWKS_COOLDOWN_SECONDS) },
      );
    return this.#keySet;
  }

  #cooledDown(since: number): boolean {
    return this.#options.now() - since >= JWKS_COOLDOWN_SECONDS * 1000;
  }

  #refresh(): Promise<void> {
    this.#pending ??= this.#fetchKeys().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetchKeys(): Promise<void> {
    this.#attemptedAt = this.#options.now();
    const { issuer, fetch: fetchFn } = this.#options;
    try {
      if (!this.#jwksUri) {
        this.fetchCount++;
        this.#jwksUri = await processDiscoveryResponse(
          await discoveryRequest(issuer, fetchFn),
          issuer,
        );
      }
      this.fetchCount++;
      const jwks = await processJwksResponse(await jwksRequest(this.#jwksUri, fetchFn));
      this.#keySet = createLocalJWKSet(jwks);
      this.#keySetVersion++;
      this.#fetchedAt = this.#options.now();
      logEvent("info", "jwks_fetched", { keys: jwks.keys.length, fetches: this.fetchCount });
    } catch (error) {
      // Keep the last good keys: a brief Cognito outage must not lock every user out.
      logEvent("warn", "jwks_fetch_failed", {
        message: error instanceof Error ? error.message : String(error),
        keptKeys: this.#keySet !== undefined,
      });
    }
  }
}
