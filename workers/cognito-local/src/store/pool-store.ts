import {
  CHALLENGE_PREFIX,
  CLIENT_PREFIX,
  CODE_PREFIX,
  challengeKey,
  clientKey,
  codeKey,
  REFRESH_PREFIX,
  REVOKED_ORIGIN_PREFIX,
  refreshKey,
  revokedOriginKey,
  SESSION_PREFIX,
  SETTINGS_KEY,
  SIGNING_KEYS_KEY,
  sessionKey,
  USER_PREFIX,
  userKey,
} from "./keys";
import type {
  ChallengeRecord,
  CodeRecord,
  KeySet,
  RefreshRecord,
  RuntimeSettings,
  SessionRecord,
  UserPoolClient,
  UserRecord,
} from "./records";

/** Kinds of record that carry `expiresAt` and are swept once past it. */
const EXPIRING_PREFIXES = [
  CODE_PREFIX,
  SESSION_PREFIX,
  REFRESH_PREFIX,
  CHALLENGE_PREFIX,
  REVOKED_ORIGIN_PREFIX,
];

/** One page of a listing. `next` is the last key returned, to continue after; absent at the end. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * Typed access to the pool's state in the Durable Object's synchronous KV storage. Every method is
 * synchronous, so each one is atomic with respect to other requests to the object: two requests
 * redeeming the same code cannot both see it.
 */
export class PoolStore {
  constructor(private readonly kv: SyncKvStorage) {}

  getClient(clientId: string): UserPoolClient | undefined {
    return this.kv.get<UserPoolClient>(clientKey(clientId));
  }

  putClient(client: UserPoolClient): void {
    this.kv.put(clientKey(client.ClientId), client);
  }

  deleteClient(clientId: string): boolean {
    return this.kv.delete(clientKey(clientId));
  }

  countClients(): number {
    let n = 0;
    for (const _ of this.kv.list({ prefix: CLIENT_PREFIX })) n++;
    return n;
  }

  /** App clients in client-id order, after `after` (a client id) when given. */
  listClients(limit: number, after?: string): Page<UserPoolClient> {
    const items: UserPoolClient[] = [];
    const options: SyncKvListOptions = { prefix: CLIENT_PREFIX, limit: limit + 1 };
    if (after !== undefined) options.startAfter = clientKey(after);
    for (const [, client] of this.kv.list<UserPoolClient>(options)) items.push(client);
    if (items.length <= limit) return { items };
    items.length = limit;
    return { items, next: items[limit - 1]?.ClientId };
  }

  getUser(username: string): UserRecord | undefined {
    return this.kv.get<UserRecord>(userKey(username));
  }

  putUser(user: UserRecord): void {
    this.kv.put(userKey(user.username), user);
  }

  deleteUser(username: string): boolean {
    return this.kv.delete(userKey(username));
  }

  countUsers(): number {
    let n = 0;
    for (const _ of this.kv.list({ prefix: USER_PREFIX })) n++;
    return n;
  }

  putCode(codeHash: string, record: CodeRecord): void {
    this.kv.put(codeKey(codeHash), record);
  }

  /** Takes a code out of storage: it is returned once, to one caller, and then it is gone. */
  takeCode(codeHash: string): CodeRecord | undefined {
    const record = this.kv.get<CodeRecord>(codeKey(codeHash));
    if (record !== undefined) this.kv.delete(codeKey(codeHash));
    return record;
  }

  putRefresh(tokenHash: string, record: RefreshRecord): void {
    this.kv.put(refreshKey(tokenHash), record);
  }

  getRefresh(tokenHash: string): RefreshRecord | undefined {
    return this.kv.get<RefreshRecord>(refreshKey(tokenHash));
  }

  deleteRefresh(tokenHash: string): boolean {
    return this.kv.delete(refreshKey(tokenHash));
  }

  /** Marks every token of one sign-in (`origin_jti`) as revoked. */
  revokeOrigin(originJti: string, until: number): void {
    this.kv.put(revokedOriginKey(originJti), { expiresAt: until });
  }

  isOriginRevoked(originJti: string): boolean {
    return this.kv.get(revokedOriginKey(originJti)) !== undefined;
  }

  putSession(sessionHash: string, record: SessionRecord): void {
    this.kv.put(sessionKey(sessionHash), record);
  }

  getSession(sessionHash: string): SessionRecord | undefined {
    return this.kv.get<SessionRecord>(sessionKey(sessionHash));
  }

  deleteSession(sessionHash: string): void {
    this.kv.delete(sessionKey(sessionHash));
  }

  putChallenge(challengeHash: string, record: ChallengeRecord): void {
    this.kv.put(challengeKey(challengeHash), record);
  }

  /** Takes a new-password challenge out of storage: usable once. */
  takeChallenge(challengeHash: string): ChallengeRecord | undefined {
    const record = this.kv.get<ChallengeRecord>(challengeKey(challengeHash));
    if (record !== undefined) this.kv.delete(challengeKey(challengeHash));
    return record;
  }

  getKeys(): KeySet | undefined {
    return this.kv.get<KeySet>(SIGNING_KEYS_KEY);
  }

  putKeys(keys: KeySet): void {
    this.kv.put(SIGNING_KEYS_KEY, keys);
  }

  getSettings(): RuntimeSettings | undefined {
    return this.kv.get<RuntimeSettings>(SETTINGS_KEY);
  }

  putSettings(settings: RuntimeSettings): void {
    this.kv.put(SETTINGS_KEY, settings);
  }

  /** Deletes codes, sessions and refresh tokens whose time is past. */
  sweepExpired(now: number): number {
    let removed = 0;
    for (const prefix of EXPIRING_PREFIXES) {
      for (const [key, value] of this.kv.list<{ expiresAt: number }>({ prefix })) {
        if (value.expiresAt <= now) {
          this.kv.delete(key);
          removed++;
        }
      }
    }
    return removed;
  }
}
