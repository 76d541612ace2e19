import { PageLayout } from "@mcp-cognito-workers/http";
import type { Child } from "hono/jsx";
import { ErrorPage, STYLESHEET_PATH } from "../pages/layout";

/** What every managed-login form posts back: to `/login?<authorize query>`, with the page's CSRF token. */
interface FormPageProps {
  action: string;
  csrf: string;
  error?: string;
}

/** The frame of the managed-login forms: a card with a heading, a note, the fields, an error, a button. */
function FormPage(
  props: FormPageProps & { title: string; note: Child; submit: Child; children: Child },
) {
  return (
    <PageLayout title={`${props.title} - cognito-local`} stylesheet={STYLESHEET_PATH}>
      <div class="card narrow">
        <span class="badge">cognito-local</span>
        <h1>{props.title}</h1>
        <p class="muted">{props.note}</p>
        <form method="post" action={props.action}>
          <input type="hidden" name="_csrf" value={props.csrf} />
          {props.children}
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          {props.submit}
        </form>
      </div>
    </PageLayout>
  );
}

/** A required form field and its label; the field's `id` is its `name`. */
function Field(props: {
  name: string;
  label: string;
  type: "text" | "password";
  autocomplete: string;
  value?: string;
  autofocus?: boolean;
}) {
  return (
    <>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type}
        autocomplete={props.autocomplete}
        required
        value={props.value}
        autofocus={props.autofocus}
      />
    </>
  );
}

/** Fields of the sign-in form; the names are those Cognito's hosted UI posts. */
export interface LoginPageProps extends FormPageProps {
  clientName: string;
  username?: string;
}

/** Cognito's hosted sign-in form: posts `_csrf`, `username`, `password` to `/login?<authorize query>`. */
export function LoginPage(props: LoginPageProps) {
  return (
    <FormPage
      {...props}
      title="Sign in"
      note={`to continue to ${props.clientName}`}
      submit={
        <button type="submit" name="signInSubmitButton" value="Sign in">
          Sign in
        </button>
      }
    >
      <Field
        name="username"
        label="Username"
        type="text"
        autocomplete="username"
        value={props.username ?? ""}
        autofocus={!props.username}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autocomplete="current-password"
        autofocus={Boolean(props.username)}
      />
    </FormPage>
  );
}

/** Fields of the form a user with a temporary password sets a permanent one with. */
export interface NewPasswordPageProps extends FormPageProps {
  challenge: string;
}

/** Asked of a user whose status is FORCE_CHANGE_PASSWORD, as Cognito's hosted UI does. */
export function NewPasswordPage(props: NewPasswordPageProps) {
  return (
    <FormPage
      {...props}
      title="Change password"
      note="Please enter a new password."
      submit={<button type="submit">Send</button>}
    >
      <input type="hidden" name="challenge" value={props.challenge} />
      <Field
        name="new_password"
        label="New password"
        type="password"
        autocomplete="new-password"
        autofocus
      />
      <Field
        name="confirm_password"
        label="Enter new password again"
        type="password"
        autocomplete="new-password"
      />
    </FormPage>
  );
}

export { ErrorPage };
