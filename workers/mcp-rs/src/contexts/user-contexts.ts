import { DurableObject } from "cloudflare:workers";
import { MAX_CONTEXTS_PER_USER, type NewContext, type StoredContext } from "./context";

/**
 * One user's contexts, in a SQLite-backed Durable Object named after the token's `sub`: one
 * user's object is never reachable with another user's token.
 */
export class UserContexts extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS contexts (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
    );
  }

  /** Every context, newest first. */
  list(): StoredContext[] {
    return this.ctx.storage.sql
      .exec<ContextRow>("SELECT * FROM contexts ORDER BY created_at DESC, id")
      .toArray()
      .map(fromRow);
  }

  /** One context, or null. */
  get(id: string): StoredContext | null {
    const [row] = this.ctx.storage.sql
      .exec<ContextRow>("SELECT * FROM contexts WHERE id = ?", id)
      .toArray();
    return row ? fromRow(row) : null;
  }

  /** Stores a new context; null when the user already keeps {@link MAX_CONTEXTS_PER_USER}. */
  create(input: NewContext, createdAt: number): StoredContext | null {
    const count = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM contexts")
      .one().n;
    if (count >= MAX_CONTEXTS_PER_USER) return null;
    const context = { id: crypto.randomUUID(), ...input, createdAt };
    this.ctx.storage.sql.exec(
      "INSERT INTO contexts (id, title, content, created_at) VALUES (?, ?, ?, ?)",
      context.id,
      context.title,
      context.content,
      context.createdAt,
    );
    return context;
  }

  /** Deletes a context; whether it existed. */
  delete(id: string): boolean {
    return this.ctx.storage.sql.exec("DELETE FROM contexts WHERE id = ?", id).rowsWritten > 0;
  }
}

type ContextRow = { id: string; title: string; content: string; created_at: number };

function fromRow(row: ContextRow): StoredContext {
  return { id: row.id, title: row.title, content: row.content, createdAt: row.created_at };
}
