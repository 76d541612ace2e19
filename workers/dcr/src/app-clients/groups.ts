// Which shared app client serves a client: pure functions of its metadata and the policy. Clients
// whose app client must hold the same configuration (public or confidential, the code flow or
// client_credentials, the same scopes, token lifetime and callback) form a group; each group has
// a fixed number of slots, each slot one app client, and a client's id picks its slot.
import type { CognitoClientConfig } from "../cognito/types";
import { type ClientMetadata, COGNITO_CLIENT_NAME_PREFIX } from "../registration/client-metadata";
import { type CognitoClientOptions, toCognitoClientConfig } from "../registration/cognito-config";
import { sha256Hex } from "../registration/secrets";

/** What Cognito must hold differently for a group, besides its scopes. */
export type AppClientKind = "public" | "confidential" | "machine";

/** The settings every app client of one group holds, and the key that names them. */
export interface AppClientGroup {
  /** The first 32 hex digits of the SHA-256 of the configuration (its JSON, keys sorted). */
  key: string;
  kind: AppClientKind;
  /** The configuration each app client of the group holds, its name aside. */
  config: Omit<CognitoClientConfig, "ClientName">;
}

/** JSON with object keys sorted at every level, so that a configuration has one text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * The group of a client: the app-client configuration its metadata needs (as an app client of its
 * own would hold it, scopes sorted), named by its hash.
 */
export async function groupFor(
  metadata: Pick<ClientMetadata, "grantTypes" | "scope" | "tokenEndpointAuthMethod">,
  callbackUrl: string,
  options: CognitoClientOptions,
): Promise<AppClientGroup> {
  const scope = [...new Set(metadata.scope.split(" ").filter((s) => s !== ""))].sort().join(" ");
  const { ClientName: _, ...config } = toCognitoClientConfig(
    { ...metadata, scope },
    "",
    callbackUrl,
    options,
  );
  const kind: AppClientKind = metadata.grantTypes.includes("client_credentials")
    ? "machine"
    : metadata.tokenEndpointAuthMethod === "none"
      ? "public"
      : "confidential";
  const key = (await sha256Hex(canonicalJson(config))).slice(0, 32);
  return { key, kind, config };
}

/** The slot (0 to `slots` - 1) of a client id in its group: stable, and spread evenly. */
export async function slotFor(clientId: string, slots: number): Promise<number> {
  if (!Number.isInteger(slots) || slots < 1)
    throw new TypeError("slots must be a positive integer");
  const hex = await sha256Hex(`slot:${clientId}`);
  return Number.parseInt(hex.slice(0, 8), 16) % slots;
}

/** Cognito's ClientName of a group's app client: `dcr-shared <kind> <key, 12 digits> <slot>`. */
export function sharedClientName(group: Pick<AppClientGroup, "key" | "kind">, slot: number) {
  return `${COGNITO_CLIENT_NAME_PREFIX}shared ${group.kind} ${group.key.slice(0, 12)} ${slot}`;
}

/** Whether a group's app clients have a secret (the facade relays with it). */
export function isConfidential(group: Pick<AppClientGroup, "kind">): boolean {
  return group.kind !== "public";
}
