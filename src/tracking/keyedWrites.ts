import type { WrittenKeys } from '../engine/compare/localDelta.js';

export type { WrittenKeys };

/** More keys than this in one table's writes: it is compared whole, as if they were not known. */
export const MAX_KNOWN_KEYS = 10_000;

/** A table known to equal its baseline but at these keys; `unknown`: anything may differ. */
type TableState = WrittenKeys | 'unknown';

/**
 * What this process knows about how each local table differs from its baseline (issue 22: a push
 * of a one-row write need not compare the whole table). A table starts known and equal to its
 * baseline when the local file is as the last sync left it (settledStore.ts), and stays known
 * while every write to it comes through the tracked connection with the keys it touched
 * (`RETURNING`): it then differs from its baseline at most at those keys. Any other write (a
 * statement whose rows cannot be told, a schema change, the untracked connection, a restored
 * conflict) makes it unknown until a sync settles it again. The local file is held open, so no
 * other process writes it meanwhile. Names are local display names, compared case-insensitively.
 */
export class KeyedWrites {
  /** Known tables (absent: unknown), relative to their baselines. */
  private readonly tables = new Map<string, WrittenKeys>();
  /** While a sync runs (between take() and synced()): the writes made since it took the keys. */
  private since: Map<string, TableState> | undefined;
  private forgotSince = false;
  private untrackedSeen = false;
  /** How many times a sync has taken the keys. */
  private takes = 0;
  /** Display names by lower-case name, as first seen. */
  private readonly names = new Map<string, string>();

  constructor(settled: Iterable<string>) {
    for (const name of settled) this.tables.set(this.key(name), NONE);
  }

  /** A committed write to `table`: its rows' keys, or undefined when they cannot be told. */
  wrote(table: string, keys: WrittenKeys | undefined): void {
    const name = this.key(table);
    const known = this.tables.get(name);
    if (known) {
      const next = added(known, keys);
      if (next === 'unknown') this.tables.delete(name);
      else this.tables.set(name, next);
    }
    if (this.since) {
      const before = this.since.get(name) ?? NONE;
      this.since.set(name, before === 'unknown' ? before : added(before, keys));
    }
  }

  /**
   * Whether the keys of a write to `table` would be used: the table is known, or a sync running now
   * may settle it (then it is known at the keys written since it took them).
   */
  wantsKeys(table: string): boolean {
    return this.since !== undefined || this.tables.has(table.toLowerCase());
  }

  /** Every table may differ anywhere (a statement whose targets cannot be told, a restored conflict). */
  forgetAll(): void {
    this.tables.clear();
    this.forgotSince = true;
  }

  /** Writes through a connection that is not tracked may follow: nothing is known from now on. */
  untracked(): void {
    this.untrackedSeen = true;
    this.forgetAll();
  }

  /**
   * Before a sync reads the marks: the known tables and their keys, by lower-case name (writes
   * from now on are also kept apart for synced()).
   */
  take(): ReadonlyMap<string, WrittenKeys> {
    this.takes++;
    this.since = new Map();
    this.forgotSince = false;
    return new Map(this.tables);
  }

  /**
   * After the sync that took the keys: a table it left equal to its baseline (`settled`) is known
   * again, at the keys written since the take; a table it synced without settling it (an error,
   * changes left for a later sync) is unknown; the others are as they were.
   */
  synced(synced: Iterable<string>, settled: ReadonlySet<string>): void {
    const since = this.since ?? new Map<string, TableState>();
    this.since = undefined;
    const equal = new Set([...settled].map((n) => n.toLowerCase()));
    for (const table of synced) {
      const name = this.key(table);
      const after = since.get(name) ?? NONE;
      if (equal.has(name) && !this.untrackedSeen && !this.forgotSince && after !== 'unknown') this.tables.set(name, after);
      else this.tables.delete(name);
    }
  }

  /** Changes whenever a sync takes the keys: keys told before and after it must be told again after it. */
  get generation(): number {
    return this.takes;
  }

  /** Tables known to equal their baselines now (no write since they were settled), by display name. */
  settledTables(): string[] {
    return [...this.tables].filter(([, s]) => s.rows.length === 0).map(([name]) => this.names.get(name) ?? name);
  }

  private key(table: string): string {
    const name = table.toLowerCase();
    if (!this.names.has(name)) this.names.set(name, table);
    return name;
  }
}

const NONE: WrittenKeys = { columns: [], types: [], rows: [] };

/** `state` with the keys of one more write; unknown when they cannot be told or are too many. */
function added(state: WrittenKeys, keys: WrittenKeys | undefined): TableState {
  if (!keys || (state.rows.length && !sameColumns(state, keys)) || state.rows.length + keys.rows.length > MAX_KNOWN_KEYS) return 'unknown';
  return { columns: keys.columns, types: keys.types, rows: [...state.rows, ...keys.rows] };
}

function sameColumns(a: WrittenKeys, b: WrittenKeys): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c === b.columns[i]);
}
