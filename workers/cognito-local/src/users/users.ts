import type { PoolServices } from "../pool-services";
import type { UserRecord, UserStatus } from "../store/records";
import { hashPassword, verifyPassword } from "./password";

/** Options of {@link newUser}. */
export interface NewUserOptions {
  attributes?: Record<string, string>;
  password?: string;
  status?: UserStatus;
}

/** Makes a user record with a fresh `sub`; the password, if any, is hashed. */
export async function newUser(
  username: string,
  now: number,
  options: NewUserOptions = {},
): Promise<UserRecord> {
  return {
    username,
    sub: crypto.randomUUID(),
    attributes: options.attributes ?? {},
    passwordHash: options.password === undefined ? null : await hashPassword(options.password),
    status: options.status ?? "FORCE_CHANGE_PASSWORD",
    enabled: true,
    groups: [],
    createdAt: now,
    updatedAt: now,
  };
}

let decoyHash: Promise<string> | undefined;

/**
 * Finds an enabled user whose password matches; undefined otherwise, without saying which, and
 * in about the same time whether or not the user exists.
 */
export async function authenticate(
  pool: Pick<PoolServices, "store">,
  username: string,
  password: string,
): Promise<UserRecord | undefined> {
  const user = pool.store.getUser(username);
  if (user === undefined || !user.enabled || user.passwordHash === null) {
    decoyHash ??= hashPassword(crypto.randomUUID());
    await verifyPassword(password, await decoyHash);
    return undefined;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
}

/**
 * The user a code, session or refresh token was issued to, if that user still exists under the
 * same `sub` and is enabled: a user deleted and made again under the same name is someone else.
 */
export function findIssuedUser(
  pool: Pick<PoolServices, "store">,
  issuedTo: { username: string; sub: string },
): UserRecord | undefined {
  const user = pool.store.getUser(issuedTo.username);
  return user?.sub === issuedTo.sub && user.enabled ? user : undefined;
}
