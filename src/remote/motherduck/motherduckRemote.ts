import { quoteIdent, quoteLiteral } from '../../duckdb/quote.js';
import { ExtensionLoadError, MissingTokenError, UnsupportedClientError, UsageError, type SyncError } from '../../errors.js';
import { redact } from '../../log/redact.js';
import { classifyMotherDuckError, MOTHERDUCK_TRANSACTION_ROWS } from './motherduckErrors.js';
import type { RemoteStatement } from '../remoteStatement.js';
import type { QueryStatement, RemoteFingerprints, Remote, RemoteOptions, RemoteStorage, RunStatement } from '../remote.js';

/**
 * A MotherDuck database (`md:<database>`), attached as MotherDuck documents: `ATTACH 'md:<database>'`
 * with no alias (MotherDuck refuses aliases on databases you own), which as the session's first
 * MotherDuck statement enters single attach mode: only that database, the saved workspace neither
 * used nor changed. Attached read-write once per session (no READ_ONLY re-attach of the same path);
 * dry runs and pulls are kept from writing it by code (`Database`). Its server may run another
 * DuckDB release than this client (MotherDuck serves a range of client releases), so each run
 * checks per table that the server hashes rows as this client does before comparing hashes across
 * the sides, and compares canonical fingerprints where it does not (`checked`). The token reaches
 * DuckDB only through the environment.
 *
 * `md:_share/<name>/<id>` attaches a share: read-only, named after the share's `<name>` segment as
 * MotherDuck names it. Single attach mode is for databases one owns, so a share's session is in
 * workspace mode, where a DETACH detaches the database in every client connected in that mode: the
 * mode is read after the attach (`motherduck_attach_mode`), and in workspace mode nothing is ever
 * detached (closing the instance ends the session).
 */
export class MotherDuckRemote implements Remote {
  readonly kind = 'motherduck' as const;
  readonly catalog: string;
  readonly needsToken = true;
  readonly latencyMs = 0;
  readonly releasedBetweenSteps = false;
  readonly sharedFile = undefined;
  readonly readOnlyAttach = false;
  readonly readOnly: string | undefined;
  readonly fingerprints: RemoteFingerprints;
  /** What follows `md:`: a database name, or `_share/<name>/<id>`. */
  readonly database: string;
  /** The session's attach mode is workspace (read after the attach). */
  private workspaceMode = false;
  storage: RemoteStorage = 'duckdb';
  readonly defaultTransactionRows = MOTHERDUCK_TRANSACTION_ROWS;

  constructor(
    readonly uri: string,
    options: RemoteOptions = {},
  ) {
    const database = uri.slice('md:'.length);
    const share = /^_share\/([A-Za-z0-9_][\w-]*)\/[\w-]+$/.exec(database);
    if (!share && !/^[A-Za-z0-9_][\w-]*$/.test(database)) {
      throw new UsageError(
        `invalid MotherDuck remote: ${uri}`,
        database === '' ? 'name one database: md:<database> (duckdb-sync never attaches the whole workspace)' : 'use md:<database>, for example md:analytics, or md:_share/<name>/<id> for a share',
      );
    }
    this.database = database;
    this.catalog = share?.[1] ?? database;
    this.readOnly = share ? `the MotherDuck share ${database}` : undefined;
    this.fingerprints = options.fingerprints ?? 'checked';
  }

  check(_localPath: string, token: string | undefined): void {
    if (!token) throw new MissingTokenError();
  }

  async prepare(run: RunStatement, token: string | undefined): Promise<void> {
    // The extension reads its token from the environment: it never appears in SQL text.
    process.env.motherduck_token = token;
    try {
      await run('INSTALL motherduck');
      await run('LOAD motherduck');
    } catch (error) {
      const detail = redact(error instanceof Error ? error.message : String(error), [token]);
      const named = classifyMotherDuckError(detail, this.uri);
      if (named instanceof UnsupportedClientError) throw named;
      throw new ExtensionLoadError('motherduck', detail.split('\n')[0] ?? '');
    }
  }

  /** `ATTACH 'md:<database>'`: no alias, no READ_ONLY, nothing but the database's name. */
  attachStatement(): string {
    return `ATTACH ${quoteLiteral(`md:${this.database}`)}`;
  }

  async afterAttach(query: QueryStatement): Promise<void> {
    this.workspaceMode = await readAttachMode(query, this.readOnly !== undefined);
    this.storage = await readStorage(query, this.catalog);
  }

  get attachNote(): string | undefined {
    return this.workspaceMode ? 'workspace attach mode: never detached, so that no other client loses it' : undefined;
  }

  detachStatement(): string | undefined {
    return this.workspaceMode ? undefined : `DETACH DATABASE IF EXISTS ${quoteIdent(this.catalog)}`;
  }

  walBytes(): number {
    return 0;
  }

  inspect(statement: RemoteStatement): string {
    // MotherDuck itself answers.
    return statement.sql;
  }

  classifyError(message: string): SyncError | undefined {
    return classifyMotherDuckError(message, this.uri);
  }
}

/**
 * How the database stores its tables, as MotherDuck lists it (`md_all_databases()`, whose `type`
 * names DuckLake databases); DuckDB's own storage when the listing does not say.
 */
async function readStorage(query: QueryStatement, catalog: string): Promise<RemoteStorage> {
  try {
    const [row] = await query(`SELECT type FROM md_all_databases() WHERE alias = ${quoteLiteral(catalog)}`);
    return /ducklake/i.test(String(row?.type ?? '')) ? 'ducklake' : 'duckdb';
  } catch {
    return 'duckdb';
  }
}

/**
 * Whether the session is in workspace attach mode, as the extension says
 * (`current_setting('motherduck_attach_mode')`: `single` or `workspace`). An extension that does not
 * say: workspace for a share (single mode is for databases one owns), single otherwise.
 */
async function readAttachMode(query: QueryStatement, share: boolean): Promise<boolean> {
  try {
    const [row] = await query(`SELECT current_setting('motherduck_attach_mode') AS mode`);
    return String(row?.mode ?? '').toLowerCase() === 'workspace';
  } catch {
    return share;
  }
}
