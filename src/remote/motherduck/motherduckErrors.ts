import { duckdb } from '../../duckdb/duckdbApi.js';
import { ReadOnlyRemoteError, RemoteUnavailableError, RemoteWriteConflictError, UnsupportedClientError, type SyncError } from '../../errors.js';

const CLIENT_VERSION = /(?:Your )?DuckDB version \(v?[\w.-]+\) is not (?:yet )?supported by MotherDuck[^\n]*|unsupported version of DuckDB[^\n]*/i;
const READ_ONLY = /attached in read-only mode|read[- ]only (?:share|database|connection|replica|token)/i;
/**
 * Rows one transaction on MotherDuck writes by default before a push goes in parts: its server holds
 * a transaction's undo buffers and uncommitted row groups in memory, and MotherDuck's own connectors
 * split large loads and updates for that reason (estuary/connectors#1042, #4317).
 */
export const MOTHERDUCK_TRANSACTION_ROWS = 1_000_000;

/** What the network and MotherDuck's servers say when a retry may succeed. */
const TRANSIENT =
  /connection (?:error|refused|reset|lost|closed|timed out)|network (?:error|is unreachable)|timed out|timeout|\bUNAVAILABLE\b|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|temporarily unavailable|could not resolve host|failed to connect|ECONNRESET|ETIMEDOUT|HTTP (?:429|5\d\d)|too many requests|service unavailable/i;

/**
 * What a transaction that lost to another writer reports on MotherDuck: "TransactionContext Error:
 * Failed to commit: MotherDuck transaction statement failed: … Conflict …". A conflict between two
 * connections of this process names no MotherDuck, and is not the remote's.
 */
const CONFLICT = /TransactionContext Error:[^\n]*MotherDuck[^\n]*\bconflict/i;

/**
 * Names what MotherDuck (or the emulator, which answers the same way) reported, for `remote`:
 * an unsupported client release, a read-only share or connection, a commit lost to another writer,
 * a failure worth retrying.
 * Undefined for anything else.
 */
export function classifyMotherDuckError(message: string, remote: string): SyncError | undefined {
  const client = CLIENT_VERSION.exec(message);
  if (client) return new UnsupportedClientError(duckdb.version().replace(/^v/, ''), client[0].trim());
  if (READ_ONLY.test(message)) return new ReadOnlyRemoteError(remote, 'a share, or a read-scaling connection');
  if (CONFLICT.test(message)) return new RemoteWriteConflictError(remote, message.split('\n')[0] ?? message);
  if (TRANSIENT.test(message)) return new RemoteUnavailableError(remote, message.split('\n')[0] ?? message);
  return undefined;
}
