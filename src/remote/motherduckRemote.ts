import { quoteIdent, quoteLiteral } from '../db/quote.js';
import { ExtensionLoadError, MissingTokenError, UsageError } from '../errors.js';
import { redact } from '../log/redact.js';
import { REMOTE_ALIAS } from './attachAlias.js';
import type { FingerprintScheme, Remote, RemoteOptions, RunStatement } from './remote.js';

/**
 * A MotherDuck database (`md:<database>`). Its server may run another DuckDB release than this
 * client, so fingerprints compared across the sides are canonical. Kept attached until close (a
 * network attach costs round trips). The token reaches DuckDB only through the environment.
 */
export class MotherDuckRemote implements Remote {
  readonly kind = 'motherduck' as const;
  readonly catalog = REMOTE_ALIAS;
  readonly releasedBetweenSteps = false;
  readonly fingerprints: FingerprintScheme;
  readonly database: string;

  constructor(
    readonly uri: string,
    options: RemoteOptions = {},
  ) {
    const database = uri.slice('md:'.length);
    if (!/^[^?'"\s;]+$/.test(database)) {
      throw new UsageError(`invalid MotherDuck remote: ${uri}`, 'use md:<database>, for example md:analytics');
    }
    this.database = database;
    this.fingerprints = options.fingerprints ?? 'canonical';
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
      const detail = redact(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error), [token]);
      throw new ExtensionLoadError('motherduck', detail);
    }
  }

  attachStatement(readOnly: boolean): string {
    return `ATTACH ${quoteLiteral(`md:${this.database}`)} AS ${quoteIdent(this.catalog)}${readOnly ? ' (READ_ONLY)' : ''}`;
  }

  detachStatement(): string {
    return `DETACH DATABASE IF EXISTS ${quoteIdent(this.catalog)}`;
  }

  walBytes(): number {
    return 0;
  }
}
