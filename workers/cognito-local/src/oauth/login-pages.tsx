import { ErrorPage, Layout } from "../pages/layout";

/** Fields of the sign-in form; the names are those Cognito's hosted UI posts. */
export interface LoginPageProps {
  action: string;
  csrf: string;
  clientName: string;
  username?: string;
  error?: string;
}

/** Cognito's hosted sign-in form: posts `_csrf`, `username`, `password` to `/login?<authorize query>`. */
export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in - cognito-local">
      <div class="card narrow">
        <span class="badge">cognito-local</span>
        <h1>Sign in</h1>
        <p class="muted">to continue to {props.clientName}</p>
        <form method="post" action={props.action}>
          <input type="hidden" name="_csrf" value={props.csrf} />
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            type="text"
            autocomplete="username"
            required
            value={props.username ?? ""}
            autofocus={!props.username}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            autofocus={Boolean(props.username)}
          />
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          <button type="submit" name="signInSubmitButton" value="Sign in">
            Sign in
          </button>
        </form>
      </div>
    </Layout>
  );
}

/** Fields of the form a user with a temporary password sets a permanent one with. */
export interface NewPasswordPageProps {
  action: string;
  csrf: string;
  challenge: string;
  error?: string;
}

/** Asked of a user whose status is FORCE_CHANGE_PASSWORD, as Cognito's hosted UI does. */
export function NewPasswordPage(props: NewPasswordPageProps) {
  return (
    <Layout title="Change password - cognito-local">
      <div class="card narrow">
        <span class="badge">cognito-local</span>
        <h1>Change password</h1>
        <p class="muted">Please enter a new password.</p>
        <form method="post" action={props.action}>
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="challenge" value={props.challenge} />
          <label for="new_password">New password</label>
          <input
            id="new_password"
            name="new_password"
            type="password"
            autocomplete="new-password"
            required
            autofocus
          />
          <label for="confirm_password">Enter new password again</label>
          <input
            id="confirm_password"
            name="confirm_password"
            type="password"
            autocomplete="new-password"
            required
          />
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          <button type="submit">Send</button>
        </form>
      </div>
    </Layout>
  );
}

export { ErrorPage };
