import { storageKeys as k } from "./keys";
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
  k.codePrefix,
  k.sessionPrefix,
  k.refreshPrefix,
  k.challengePrefix,
  k.revokedOriginPrefix,
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
    return this.kv.get<UserPoolClient>(k.client(clientId));
  }

  putClient(client: UserPoolClient): void {
    this.kv.put(k.client(client.ClientId), client);
  }

  deleteClient(clientId: string): boolean {
    return this.kv.delete(k.client(clientId));
  }

  countClients(): number {
    let n = 0;
    for (const _ of this.kv.list({ prefix: k.clientPrefix })) n++;
    return n;
  }

  /** App clients in client-id order, after `after` (a client id) when given. */
  listClients(limit: number, after?: string): Page<UserPoolClient> {
    const items: UserPoolClient[] = [];
    const options: SyncKvListOptions = { prefix: k.clientPrefix, limit: limit + 1 };
    if (after !== undefined) options.startAfter = k.client(after);
    for (const [, client] of this.kv.list<UserPoolClient>(options)) items.push(client);
    if (items.length <= limit) return { items };
    items.length = limit;
    return { items, next: items[limit - 1]?.ClientId };
  }

  getUser(username: string): UserRecord | undefined {
    return this.kv.get<UserRecord>(k.user(username));
  }

  putUser(user: UserRecord): void {
    this.kv.put(k.user(user.username), user);
  }

  deleteUser(username: string): boolean {
    return this.kv.delete(k.user(username));
  }

  countUsers(): number {
    let n = 0;
    for (const _ of this.kv.list({ prefix: k.userPrefix })) n++;
    return n;
  }

  putCode(codeHash: string, record: CodeRecord): void {
    this.kv.put(k.code(codeHash), record);
  }

  /** Takes a code out of storage: it is returned once, to one caller, and then it is gone. */
  takeCode(codeHash: string): CodeRecord | undefined {
    const record = this.kv.get<CodeRecord>(k.code(codeHash));
    if (record !== undefined) this.kv.delete(k.code(codeHash));
    return record;
  }

  putRefresh(tokenHash: string, record: RefreshRecord): void {
    this.kv.put(k.refresh(tokenHash), record);
  }

  getRefresh(tokenHash: string): RefreshRecord | undefined {
    return this.kv.get<RefreshRecord>(k.refresh(tokenHash));
  }

  deleteRefresh(tokenHash: string): boolean {
    return this.kv.delete(k.refresh(tokenHash));
  }

  /** Marks every token of one sign-in (`origin_jti`) as revoked. */
  revokeOrigin(originJti: string, until: number): void {
    this.kv.put(k.revokedOrigin(originJti), { expiresAt: until });
  }

  isOriginRevoked(originJti: string): boolean {
    return this.kv.get(k.revokedOrigin(originJti)) !== undefined;
  }

  putSession(sessionHash: string, record: SessionRecord): void {
    this.kv.put(k.session(sessionHash), record);
  }

  getSession(sessionHash: string): SessionRecord | undefined {
    return this.kv.get<SessionRecord>(k.session(sessionHash));
  }

  deleteSession(sessionHash: string): void {
    this.kv.delete(k.session(sessionHash));
  }

  putChallenge(challengeHash: string, record: ChallengeRecord): void {
    this.kv.put(k.challenge(challengeHash), record);
  }

  /** Takes a new-password challenge out of storage: usable once. */
  takeChallenge(challengeHash: string): ChallengeRecord | undefined {
    const record = this.kv.get<ChallengeRecord>(k.challenge(challengeHash));
    if (record !== undefined) this.kv.delete(k.challenge(challengeHash));
    return record;
  }

  getKeys(): KeySet | undefined {
    return this.kv.get<KeySet>(k.keys);
  }

  putKeys(keys: KeySet): void {
    this.kv.put(k.keys, keys);
  }

  getSettings(): RuntimeSettings | undefined {
    return this.kv.get<RuntimeSettings>(k.settings);
  }

  putSettings(settings: RuntimeSettings): void {
    this.kv.put(k.settings, settings);
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
