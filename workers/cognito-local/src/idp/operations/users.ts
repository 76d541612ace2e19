import type { PoolServices } from "../../pool-services";
import type { UserRecord } from "../../store/records";
import { checkPasswordPolicy, hashPassword } from "../../users/password";
import { newUser } from "../../users/users";
import { CognitoError } from "../cognito-error";
import { readInput } from "../input";
import { ADMIN_CREATE_USER, ADMIN_DELETE_USER, ADMIN_SET_USER_PASSWORD } from "../shapes";
import { assertUserPool, type Operation, toEpochSeconds } from "./common";

/** Standard attributes a user pool has and an administrator may set (the pool has no custom ones). */
export const WRITABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
]);

/** Messages of the user operations. */
export const USER_MESSAGES = {
  exists: "User account already exists",
  notFound: "User does not exist.",
  /** UNVERIFIED wording. */
  badAttribute: (name: string) =>
    `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.\n`,
  /** UNVERIFIED wording. */
  resendState: "Resend not possible: the user's status is not FORCE_CHANGE_PASSWORD.",
} as const;

interface AdminCreateUserRequest {
  UserPoolId: string;
  Username: string;
  UserAttributes?: { Name: string; Value?: string }[];
  TemporaryPassword?: string;
  MessageAction?: "RESEND" | "SUPPRESS";
}

/**
 * AdminCreateUser → `{User}` in `FORCE_CHANGE_PASSWORD`. No message is sent: the stand-in has no
 * mail, so `MessageAction` only matters for `RESEND`, which resets an existing user's temporary
 * password.
 */
export const adminCreateUser: Operation = async (input, pool) => {
  const request = readInput(input, ADMIN_CREATE_USER) as unknown as AdminCreateUserRequest;
  assertUserPool(pool, request.UserPoolId);
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of request.UserAttributes ?? []) {
    if (!WRITABLE_ATTRIBUTES.has(Name)) {
      throw new CognitoError("InvalidParameterException", USER_MESSAGES.badAttribute(Name));
    }
    attributes[Name] = Value ?? "";
  }
  if (request.TemporaryPassword !== undefined) assertPassword(pool, request.TemporaryPassword);
  const now = pool.now();
  const existing = pool.store.getUser(request.Username);

  if (request.MessageAction === "RESEND") {
    if (existing === undefined)
      throw new CognitoError("UserNotFoundException", USER_MESSAGES.notFound);
    if (existing.status !== "FORCE_CHANGE_PASSWORD") {
      throw new CognitoError("UnsupportedUserStateException", USER_MESSAGES.resendState);
    }
    const resent: UserRecord = {
      ...existing,
      passwordHash:
        request.TemporaryPassword === undefined
          ? existing.passwordHash
          : await hashPassword(request.TemporaryPassword),
      updatedAt: now,
    };
    pool.store.putUser(resent);
    return { User: describeUser(resent) };
  }

  if (existing !== undefined)
    throw new CognitoError("UsernameExistsException", USER_MESSAGES.exists);
  const user = await newUser(request.Username, now, {
    attributes,
    status: "FORCE_CHANGE_PASSWORD",
    ...(request.TemporaryPassword !== undefined ? { password: request.TemporaryPassword } : {}),
  });
  pool.store.putUser(user);
  return { User: describeUser(user) };
};

/** AdminSetUserPassword → `{}`; `Permanent` makes the user `CONFIRMED`. */
export const adminSetUserPassword: Operation = async (input, pool) => {
  const request = readInput(input, ADMIN_SET_USER_PASSWORD) as {
    UserPoolId: string;
    Username: string;
    Password: string;
    Permanent?: boolean;
  };
  assertUserPool(pool, request.UserPoolId);
  const user = requireUser(pool, request.Username);
  assertPassword(pool, request.Password);
  pool.store.putUser({
    ...user,
    passwordHash: await hashPassword(request.Password),
    status: request.Permanent === true ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
    updatedAt: pool.now(),
  });
  return {};
};

/** AdminDeleteUser → `{}`. */
export const adminDeleteUser: Operation = (input, pool) => {
  const request = readInput(input, ADMIN_DELETE_USER) as { UserPoolId: string; Username: string };
  assertUserPool(pool, request.UserPoolId);
  requireUser(pool, request.Username);
  pool.store.deleteUser(request.Username);
  return {};
};

/** A user as the IdP API describes it (`UserType`). */
export function describeUser(user: UserRecord) {
  return {
    Username: user.username,
    Attributes: [
      { Name: "sub", Value: user.sub },
      ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ],
    UserCreateDate: toEpochSeconds(user.createdAt),
    UserLastModifiedDate: toEpochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

function requireUser(pool: Pick<PoolServices, "store">, username: string): UserRecord {
  const user = pool.store.getUser(username);
  if (user === undefined) throw new CognitoError("UserNotFoundException", USER_MESSAGES.notFound);
  return user;
}

function assertPassword(pool: Pick<PoolServices, "template">, password: string): void {
  const problem = checkPasswordPolicy(password, pool.template.passwordPolicy);
  if (problem !== undefined) throw new CognitoError("InvalidPasswordException", problem);
}
