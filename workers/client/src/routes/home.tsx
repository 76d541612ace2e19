import type { Context, Handler } from "hono";
import type { AppDeps, AppEnv } from "../app-env";
import { HomePage, type HomeProps } from "../pages/home";
import { saveSession } from "../session/session";

/** The start page, with the CSP `form-action` its forms need. */
export async function renderHome(
  c: Context<AppEnv>,
  deps: AppDeps,
  extra: Partial<HomeProps> = {},
): Promise<Response> {
  c.set("formActionOrigins", await deps.formActionOrigins(c.var.config));
  return c.html(
    <HomePage
      appName={c.var.config.appName}
      mcpServerUrl={c.var.config.mcpServerUrl.href}
      session={c.var.session}
      now={deps.now()}
      {...extra}
    />,
  );
}

/** `GET /`: the start page, with the result an action left to show once (after a step-up). */
export function handleHome(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const { session } = c.var;
    const flash = session.flash;
    if (flash) {
      delete session.flash;
      await saveSession(c.env.CLIENT_STATE, session);
    }
    return renderHome(c, deps, flash ?? {});
  };
}
