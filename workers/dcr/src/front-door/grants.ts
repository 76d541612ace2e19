// Refresh tokens bound to the client they were issued to, and the grant records that let
// workers/mcp-rs tell which registration a shared app client's access token was issued for.
import {
  GRANT_TTL_SECONDS,
  type GrantRecord,
  grantKey,
  isOriginJtiShape,
} from "@mcp-cognito-workers/registrations";
import { decodeJwt } from "jose/jwt/decode";
import type { AppClientRef } from "../app-clients/shared";
import { openValue, type SealOptions, sealValue } from "./seal";

/** The lifetime of Cognito's refresh tokens for the app clients the facade makes (its default). */
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 60 * 60;
/** A grant record is written again at most this often (when a rotated refresh token extends it). */
export const GRANT_REWRITE_INTERVAL_SECONDS = 24 * 60 * 60;

/** What a refresh token handed to a client carries, sealed with the client id as context. */
export interface SealedRefreshToken {
  /** Cognito's refresh token. */
  refreshToken: string;
  /** The app client Cognito issued it to. */
  cognitoClientId: string;
  /** The group and slot of that app client, when it is a shared one. */
  appClientGroup?: string;
  appClientSlot?: number;
  /** The sign-in's `origin_jti`, when a grant record was written for it. */
  originJti?: string;
  /** Epoch seconds of that write. */
  grantWrittenAt?: number;
}

/** The app client a sealed refresh token names. */
export function refreshTokenAppClient(sealed: SealedRefreshToken): AppClientRef {
  return {
    clientId: sealed.cognitoClientId,
    ...(sealed.appClientGroup !== undefined && sealed.appClientSlot !== undefined
      ? { group: sealed.appClientGroup, slot: sealed.appClientSlot }
      : {}),
  };
}

/** Seals Cognito's refresh token for `clientId`: it opens for that client only. */
export function sealRefreshToken(
  clientId: string,
  body: SealedRefreshToken,
  options: SealOptions,
): Promise<string> {
  return sealValue("refresh", body, REFRESH_TOKEN_SECONDS, { ...options, context: clientId });
}

/** Opens a refresh token sealed for `clientId`; undefined if it was sealed for another client. */
export function openRefreshToken(
  clientId: string,
  sealed: string,
  options: SealOptions,
): Promise<SealedRefreshToken | undefined> {
  return openValue<SealedRefreshToken>("refresh", sealed, { ...options, context: clientId });
}

/**
 * The `origin_jti` of a Cognito access token, read without verifying it (it comes straight from
 * Cognito's token endpoint); undefined when it has none of a usable shape.
 */
export function readOriginJti(accessToken: string): string | undefined {
  try {
    const { origin_jti: originJti } = decodeJwt(accessToken);
    return isOriginJtiShape(originJti) ? originJti : undefined;
  } catch {
    // Not a JWT (jose's JWTInvalid): no grant record can name it.
    return undefined;
  }
}

/** Records that the sign-in `originJti` was made for the registration `clientId`. */
export async function writeGrant(
  kv: KVNamespace,
  originJti: string,
  clientId: string,
  nowMs: number,
): Promise<void> {
  const record: GrantRecord = { clientId, issuedAt: Math.floor(nowMs / 1000) };
  await kv.put(grantKey(originJti), JSON.stringify(record), {
    expirationTtl: GRANT_TTL_SECONDS,
  });
}
