// The shared app clients: one Cognito app client per group and slot, created on first need under
// a lock, recorded in the limits object (exact, one per slot whatever the concurrency), its secret
// sealed under FRONT_DOOR_KEY, and remembered by the isolate.

import { logEvent, OAuthError } from "@mcp-cognito-workers/http";
import { CognitoError } from "../cognito/client";
import {
  type CognitoPoolOptions,
  createUserPoolClient,
  deleteUserPoolClient,
  describeUserPoolClient,
} from "../cognito/operations";
import { openValue, type SealOptions, sealValue } from "../front-door/seal";
import type { ClientLocks, LimitsStub } from "../limits/limits";
import type { SharedAppClientRow } from "../limits/registration-limits";
import { audit } from "../registration/abuse";
import { type AppClientGroup, isConfidential, sharedClientName } from "./groups";

/** The app client that serves a request: a shared one (with its group and slot) or a client's own. */
export interface AppClientRef {
  clientId: string;
  /** The group key and slot of a shared app client; absent for a client's own app client. */
  group?: string;
  slot?: number;
}

/** A shared app client, ready to relay with. */
export interface SharedAppClient {
  clientId: string;
  group: string;
  slot: number;
  /** Its Cognito secret (the group is confidential). */
  clientSecret?: string;
}

/**
 * How long a sealed app-client secret opens: it is kept as long as the app client, so only a new
 * FRONT_DOOR_KEY retires it (then it is read back from Cognito once and sealed again).
 */
export const APP_CLIENT_SECRET_SEAL_SECONDS = 10 * 365 * 24 * 60 * 60;
/** How long a request waits, at most, while another creates the app client it needs. */
export const APP_CLIENT_WAIT_MILLISECONDS = 5_000;
/** Pause between two looks at an app client another request is creating. */
export const APP_CLIENT_POLL_MILLISECONDS = 100;
/**
 * How long an isolate uses what it knows of a slot without asking the limits object again: an
 * app client forgotten there (gone from Cognito) is given up this long after, at most.
 */
export const APP_CLIENT_MEMO_MILLISECONDS = 5 * 60 * 1000;

/** What {@link createSharedAppClients} needs. */
export interface SharedAppClientsOptions {
  limits: LimitsStub;
  locks: ClientLocks;
  cognito: CognitoPoolOptions;
  seal: SealOptions;
  /** The isolate's memory of app clients and their secrets, by `<group>:<slot>`. */
  memo: Map<string, { client: SharedAppClient; until: number }>;
  sleep: (milliseconds: number) => Promise<void>;
}

/** The shared app clients of the pool. */
export interface SharedAppClients {
  /** The app client of a group's slot, created (once, under a lock) if it does not exist yet. */
  forSlot(group: AppClientGroup, slot: number): Promise<SharedAppClient>;
  /**
   * The shared app client a sealed grant names, with its secret; undefined when the slot is now
   * served by another app client (the named one is gone).
   */
  find(ref: Required<AppClientRef>): Promise<SharedAppClient | undefined>;
}

/** The lock that serializes the creation of one slot's app client. */
function lockName(group: string, slot: number): string {
  return `app-client:${group}:${slot}`;
}

/** The shared app clients, backed by the limits object and Cognito. */
export function createSharedAppClients(options: SharedAppClientsOptions): SharedAppClients {
  const { limits, memo } = options;
  const now = options.seal.now;
  const sealFor = (clientId: string): SealOptions => ({ ...options.seal, context: clientId });
  const remembered = (group: string, slot: number) => {
    const entry = memo.get(`${group}:${slot}`);
    return entry && entry.until > now() ? entry.client : undefined;
  };

  /** The row made usable: its secret opened, or read back from Cognito and sealed again. */
  const ready = async (row: SharedAppClientRow): Promise<SharedAppClient> => {
    const known = remembered(row.group, row.slot);
    if (known?.clientId === row.clientId) return known;
    let clientSecret: string | undefined;
    if (row.sealedSecret !== undefined) {
      clientSecret = await openValue<string>(
        "app-client-secret",
        row.sealedSecret,
        sealFor(row.clientId),
      );
      if (clientSecret === undefined) {
        // Sealed under an earlier FRONT_DOOR_KEY: read it back once and seal it anew.
        clientSecret = (await describeUserPoolClient(row.clientId, options.cognito)).ClientSecret;
        if (clientSecret === undefined)
          throw new OAuthError("server_error", "a shared app client has no secret", 502);
        await limits.resealAppClientSecret(
          row.group,
          row.slot,
          row.clientId,
          await sealSecret(row.clientId, clientSecret),
        );
      }
    }
    const client: SharedAppClient = {
      clientId: row.clientId,
      group: row.group,
      slot: row.slot,
      ...(clientSecret !== undefined ? { clientSecret } : {}),
    };
    memo.set(`${row.group}:${row.slot}`, { client, until: now() + APP_CLIENT_MEMO_MILLISECONDS });
    return client;
  };

  const sealSecret = (clientId: string, secret: string) =>
    sealValue("app-client-secret", secret, APP_CLIENT_SECRET_SEAL_SECONDS, sealFor(clientId));

  /** Creates the slot's app client in Cognito and records it; the caller holds the slot's lock. */
  const create = async (group: AppClientGroup, slot: number): Promise<SharedAppClientRow> => {
    const confidential = isConfidential(group);
    const created = await createUserPoolClient(
      { ClientName: sharedClientName(group, slot), ...group.config },
      confidential,
      options.cognito,
    ).catch((error: unknown) => {
      // The pool's app-client quota is met here, not at registration: the line operators watch.
      audit({
        action: "app_client_create",
        outcome: "failed",
        group: group.key,
        kind: group.kind,
        slot,
        ...(error instanceof CognitoError ? { cognitoError: error.type } : {}),
        ...(error instanceof OAuthError ? { status: error.status, error: error.code } : {}),
      });
      throw error;
    });
    try {
      if (confidential && created.ClientSecret === undefined)
        throw new Error("no secret in CreateUserPoolClient's answer");
      const row = await limits.putAppClient({
        group: group.key,
        slot,
        clientId: created.ClientId,
        ...(created.ClientSecret !== undefined
          ? { sealedSecret: await sealSecret(created.ClientId, created.ClientSecret) }
          : {}),
        createdAt: now(),
      });
      if (row.clientId !== created.ClientId)
        await deleteUserPoolClient(created.ClientId, options.cognito);
      else
        audit({
          action: "app_client_create",
          cognitoClientId: created.ClientId,
          group: group.key,
          kind: group.kind,
          slot,
          scope: group.config.AllowedOAuthScopes.join(" "),
        });
      return row;
    } catch (error) {
      // The reconciliation deletes a facade-named app client that no slot records, if this fails.
      logEvent("error", "app_client_compensation", {
        clientId: created.ClientId,
        reason: String(error),
      });
      await deleteUserPoolClient(created.ClientId, options.cognito).catch(() => {});
      throw error instanceof OAuthError
        ? error
        : new OAuthError("server_error", "the authorization server could not be prepared", 502);
    }
  };

  return {
    async forSlot(group, slot) {
      const known = remembered(group.key, slot);
      if (known) return known;
      for (let waited = 0; ; waited += APP_CLIENT_POLL_MILLISECONDS) {
        const row = await limits.getAppClient(group.key, slot);
        if (row) return ready(row);
        const outcome = await options.locks.run(lockName(group.key, slot), async () => {
          return (await limits.getAppClient(group.key, slot)) ?? (await create(group, slot));
        });
        if (outcome.ran) return ready(outcome.value);
        if (waited >= APP_CLIENT_WAIT_MILLISECONDS)
          throw new OAuthError(
            "temporarily_unavailable",
            "the authorization server is being prepared for this client; retry",
            503,
            { headers: { "Retry-After": "1" } },
          );
        await options.sleep(APP_CLIENT_POLL_MILLISECONDS);
      }
    },

    async find(ref) {
      const known = remembered(ref.group, ref.slot);
      if (known?.clientId === ref.clientId) return known;
      const row = await limits.getAppClient(ref.group, ref.slot);
      if (row?.clientId !== ref.clientId) return undefined;
      return ready(row);
    },
  };
}
