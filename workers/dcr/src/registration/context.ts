import type { SharedAppClients } from "../app-clients/shared";
import type { CognitoPoolOptions } from "../cognito/operations";
import type { RegistrationPolicy } from "../config";
import type { ClientLocks } from "../limits/limits";

/** What the registration operations need. */
export interface RegistrationContext {
  kv: KVNamespace;
  cognito: CognitoPoolOptions;
  policy: RegistrationPolicy;
  issuer: string;
  /** Epoch milliseconds. */
  now: () => number;
  /** Serializes the changes to one registration. */
  locks: ClientLocks;
  /** The shared app clients that serve registrations and CIMD clients. */
  appClients: SharedAppClients;
  /** How many app clients (slots) each group has. */
  appClientsPerGroup: number;
}
