import { randomBytes } from "node:crypto";
import postgres from "postgres";

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** How long the server gets to answer a first query; connect_timeout alone misses a peer that accepts TCP and never speaks. */
const CONNECT_DEADLINE_MS = 3000;

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the Postgres server at DATABASE_URL (an admin URL; default: local trust
 * auth as user postgres). Fails within about 3 s, in one line that says how to get a server, when none answers.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL || DEFAULT_ADMIN_URL;
  const name = `es_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (sql) => sql`create database ${sql(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (sql) => sql`drop database if exists ${sql(name)} with (force)`),
  };
}

async function withAdmin(adminUrl: string, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: CONNECT_DEADLINE_MS / 1000, onnotice: () => {} });
  try {
    await withDeadline(sql`select 1`, CONNECT_DEADLINE_MS).catch((cause: unknown) => {
      // The server answered (bad credentials, say): its own message says more than ours would.
      if (cause instanceof postgres.PostgresError) throw cause;
      throw new Error(
        `Postgres is not reachable at ${redact(adminUrl)} (${describe(cause)}): install and start it (apt-get install postgresql) or set DATABASE_URL to an admin connection URL`,
        { cause },
      );
    });
    await run(sql);
  } finally {
    await sql.end({ timeout: 0 });
  }
}

function withDeadline<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
