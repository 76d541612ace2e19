import { timingSafeEqual } from "@mcp-cognito-workers/http";
import type { PasswordPolicy } from "../config/pool-template";

/** workerd's ceiling for PBKDF2 iterations. */
const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/;

/** Hashes a password with PBKDF2-SHA-256 and a random salt: `pbkdf2-sha256$<iterations>$<salt>$<hash>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${toHex(salt)}$${toHex(hash)}`;
}

/** Checks a password against a hash from {@link hashPassword}, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, saltHex, hashHex] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !iterations || !saltHex || !hashHex) return false;
  const actual = await derive(password, fromHex(saltHex), Number(iterations));
  const expected = fromHex(hashHex);
  return timingSafeEqual(actual, expected);
}

/**
 * Checks a password against the pool's policy. Returns Cognito's message for the first rule it
 * breaks ("Password did not conform with policy: ..."), or undefined when it conforms.
 */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): string | undefined {
  const prefix = "Password did not conform with policy: ";
  if (password.length < policy.minimumLength) return `${prefix}Password not long enough`;
  if (policy.requireLowercase && !/[a-z]/.test(password)) {
    return `${prefix}Password must have lowercase characters`;
  }
  if (policy.requireUppercase && !/[A-Z]/.test(password)) {
    return `${prefix}Password must have uppercase characters`;
  }
  if (policy.requireNumbers && !/[0-9]/.test(password)) {
    return `${prefix}Password must have numeric characters`;
  }
  if (policy.requireSymbols && !SYMBOLS.test(password)) {
    return `${prefix}Password must have symbol characters`;
  }
  return undefined;
}

async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<ArrayBuffer> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  return crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    HASH_BITS,
  );
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array((hex.match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)));
}
