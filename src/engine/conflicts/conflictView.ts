import type { ConflictRecord, RowVersion } from '../api.js';


/** The version the conflict's policy let lose (null: the losing side had deleted the row). */
export function losingVersion(record: ConflictRecord): RowVersion {
  const json = record.winner === 'remote' ? record.localJson : record.remoteJson;
  return json === null ? null : (JSON.parse(json) as Record<string, unknown>);
}

/** A kept conflict as users see it: both versions as objects, and the columns where they differ. */
export interface ConflictView {
  id: number;
  table: string;
  key: Record<string, unknown> | null;
  detectedAt: string;
  policy: string;
  winner: 'local' | 'remote';
  status: ConflictRecord['status'];
  resolvedAt: string | null;
  copies: number;
  local: RowVersion;
  remote: RowVersion;
  /** Columns whose values differ between the versions (every column when one side deleted the row). */
  differingColumns: string[];
}

export function viewConflict(record: ConflictRecord): ConflictView {
  const parse = (json: string | null): RowVersion => (json === null ? null : (JSON.parse(json) as Record<string, unknown>));
  const local = parse(record.localJson);
  const remote = parse(record.remoteJson);
  const columns = [...new Set([...Object.keys(local ?? {}), ...Object.keys(remote ?? {})])];
  const differing = local === null || remote === null ? columns : columns.filter((c) => JSON.stringify(local[c]) !== JSON.stringify(remote[c]));
  return {
    id: record.id,
    table: record.table,
    key: record.keyJson === null ? null : (JSON.parse(record.keyJson) as Record<string, unknown>),
    detectedAt: record.detectedAt.toISOString(),
    policy: record.policy,
    winner: record.winner,
    status: record.status,
    resolvedAt: record.resolvedAt?.toISOString() ?? null,
    copies: record.copies,
    local,
    remote,
    differingColumns: differing,
  };
}
