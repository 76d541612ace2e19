import { DurableObject } from "cloudflare:workers";
import type { Hono } from "hono";
import templateText from "../../../infra/cognito.yaml";
import { createApp } from "./app";
import { loadPoolTemplate } from "./config/load-template";
import { readConfig } from "./config/vars";
import { buildUserPoolClient } from "./idp/client-config";
import type { PoolServices } from "./pool-services";
import { PoolStore } from "./store/pool-store";
import { RateLimiter } from "./store/rate-limiter";
import type { RuntimeSettings } from "./store/records";
import { KeyRing } from "./tokens/key-ring";
import { newUser } from "./users/users";

/** How often expired codes, sessions and refresh tokens are swept away. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The user pool: one Durable Object holds all of its state (app clients, users, keys, codes,
 * sessions) and serves every request, so that each operation is atomic and survives restarts.
 */
export class CognitoPool extends DurableObject<Env> {
  private readonly app: Hono;
  private readonly services: PoolServices;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    const template = loadPoolTemplate(templateText, {
      region: config.region,
      userPoolId: config.userPoolId,
      issuer: config.issuer,
      staticClientId: config.staticClientId,
      staticClientSecret: config.staticClientSecret,
    });
    const store = new PoolStore(ctx.storage.kv);
    const defaults: RuntimeSettings = {
      appClientQuota: config.appClientQuota,
      rateLimitPerSecond: config.rateLimitPerSecond,
      clockOffsetMs: 0,
    };
    const runtime = () => store.getSettings() ?? defaults;
    this.services = {
      config,
      template,
      store,
      keys: new KeyRing(store),
      limiter: new RateLimiter(),
      runtime,
      now: () => Date.now() + runtime().clockOffsetMs,
    };
    this.app = createApp(this.services);
    ctx.blockConcurrencyWhile(() => this.seed());
  }

  override async fetch(request: Request): Promise<Response> {
    const response = await this.app.fetch(request);
    // A body left unread fails the caller's stream once the answer is out: read it to the end.
    if (request.body !== null && !request.bodyUsed) await request.arrayBuffer();
    return response;
  }

  override async alarm(): Promise<void> {
    this.services.store.sweepExpired(this.services.now());
    await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
  }

  /**
   * Makes what the pool starts with: signing keys, the static client as infra/cognito.yaml
   * describes it (re-applied at each start, so edits to the template take effect), the demo user.
   */
  private async seed(): Promise<void> {
    const { config, template, store, keys } = this.services;
    const now = this.services.now();
    await keys.ensure();
    const existing = store.getClient(config.staticClientId);
    store.putClient(
      buildUserPoolClient(
        { ...template.staticClient, UserPoolId: config.userPoolId },
        {
          template,
          userPoolId: config.userPoolId,
          now,
          clientId: config.staticClientId,
          clientSecret: config.staticClientSecret,
          ...(existing ? { existing } : {}),
        },
      ),
    );
    const demo = config.demoUser;
    if (store.getUser(demo.username) === undefined) {
      store.putUser(
        await newUser(demo.username, now, {
          password: demo.password,
          status: "CONFIRMED",
          attributes: { email: demo.email, email_verified: "true" },
        }),
      );
    }
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    }
  }
}
