// The authorization response: the pending sign-in is used once, checked (state, iss, code
// exchange, nonce), the session renewed, and an action waiting on a step-up run once.

import type { Handler } from "hono";
import * as oauth from "oauth4webapi";
import type { AppDeps, AppEnv } from "../app-env";
import type { ClientConfig } from "../config";
import { PageError } from "../errors";
import { type ClientRegistration, discoverAuthorizationServer, processCallback } from "../oauth";
import { readCookie, writeCookie } from "../session/cookies";
import { createKvRegistrationStore } from "../session/registrations";
import {
  createSession,
  deleteSession,
  loadSession,
  type Session,
  saveSession,
} from "../session/session";
import { performAction } from "./actions";
import { buildStaticRegistration, discoverStatic, findDiscoveryRegistration } from "./servers";

type Pending = NonNullable<Session["pending"]>;

/** The authorization server and credentials the pending sign-in was started with. */
async function findPendingServer(
  env: Env,
  config: ClientConfig,
  pending: Pending,
  deps: AppDeps,
): Promise<{ as: oauth.AuthorizationServer; registration: ClientRegistration | undefined }> {
  if (pending.flow === "static") {
    return {
      as: await discoverStatic(config, deps),
      registration: buildStaticRegistration(config),
    };
  }
  return {
    as: await discoverAuthorizationServer(pending.issuer, deps.net),
    registration: await findDiscoveryRegistration(env, config, pending),
  };
}

/**
 * The page a refused callback ends on. Errors other than the authorization server's answer, the
 * token endpoint's refusal and a failed check are rethrown as they are.
 */
async function toCallbackError(
  error: unknown,
  env: Env,
  config: ClientConfig,
  pending: Pending,
): Promise<unknown> {
  if (error instanceof oauth.AuthorizationResponseError) {
    // Reached only with the right state (and iss, where the server sends it): the person's
    // own answer at the authorization server, not a forgery.
    if (error.error === "access_denied") {
      return new PageError(
        "You denied access",
        pending.stepUp
          ? `You denied access to more of your account (${pending.scopes.join(" ")}), so the action that needed it was not run. You are still signed in with the access you allowed before.`
          : `You denied access, so ${config.appName} did not sign you in (${pending.flow} flow) and received nothing. You can sign in again from the start page.`,
        403,
      );
    }
    return new PageError("Sign-in refused", `The authorization server answered "${error.error}".`);
  }
  if (error instanceof oauth.ResponseBodyError) {
    if (error.error === "invalid_client" && pending.flow === "discovery") {
      await createKvRegistrationStore(env).delete(pending.issuer);
    }
    return new PageError(
      "Sign-in failed",
      `The token endpoint refused the code ("${error.error}"). A code works once; start again.`,
    );
  }
  if (error instanceof oauth.OperationProcessingError) {
    return new PageError("Sign-in failed", `The response did not check out: ${error.message}.`);
  }
  return error;
}

/** `GET /callback`: completes the pending sign-in, then back to the start page (303). */
export function handleCallback(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const { config } = c.var;
    const session = await loadSession(c.env.CLIENT_STATE, readCookie(c, "session"));
    const pending = session?.pending;
    if (!session || !pending) {
      throw new PageError(
        "Sign-in not recognised",
        "This browser has no sign-in in progress (no session, or it expired). Start again from the start page.",
      );
    }
    // One-time: the pending authorization is gone whatever happens next.
    delete session.pending;
    await saveSession(c.env.CLIENT_STATE, session);
    const { as, registration } = await findPendingServer(c.env, config, pending, deps);
    if (!registration) {
      throw new PageError("Sign-in failed", "The client registration is gone; sign in again.");
    }
    try {
      const tokens = await processCallback(as, registration, pending, new URL(c.req.url), {
        ...deps.net,
        now: deps.now,
        // The discovery flow's trace goes on with the callback's checks and the token request.
        ...(pending.flow === "discovery" ? { trace: (step) => session.trace.push(step) } : {}),
      });
      session.signIns[pending.flow] = {
        issuer: as.issuer,
        clientId: pending.clientId,
        resource: pending.resource,
        scopes: pending.scopes,
        tokens,
      };
      if (pending.stepUp) session.stepUp = pending.stepUp;
      // A new id once signed in, so an id planted before sign-in (session fixation) is worthless.
      await deleteSession(c.env.CLIENT_STATE, session.id);
      const renewed = { ...session, id: createSession().id };
      await saveSession(c.env.CLIENT_STATE, renewed);
      writeCookie(c, "session", renewed.id);
      if (pending.replay) {
        // The action that needed the step-up was checked (CSRF) when it was first submitted;
        // it runs now, once, and its result is shown on the start page.
        const done = await performAction(pending.flow, pending.replay, deps, {
          env: c.env,
          config,
          session: renewed,
        });
        if (done.redirect) return c.redirect(done.redirect.href, 303);
        renewed.flash = done.page;
        await saveSession(c.env.CLIENT_STATE, renewed);
      }
      return c.redirect("/", 303);
    } catch (error) {
      throw await toCallbackError(error, c.env, config, pending);
    }
  };
}
