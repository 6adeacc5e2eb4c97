/**
 * Tables of mixed shapes for the latency cases (issue 14): table `t<i>` is keyed with a cursor
 * column (i % 3 = 0), keyed without one (i % 3 = 1), or without a key (i % 3 = 2), each with
 * `rows` rows whose `id` runs from 1.
 */
export function manyTablesSql(tables: number, rows: number): string[] {
  const statements: string[] = [];
  for (let i = 0; i < tables; i++) {
    const name = `"t${i}"`;
    const shape = i % 3;
    if (shape === 0) statements.push(`CREATE TABLE ${name} (id BIGINT PRIMARY KEY, v BIGINT, label VARCHAR, updated_at TIMESTAMP)`);
    else if (shape === 1) statements.push(`CREATE TABLE ${name} (id BIGINT PRIMARY KEY, v BIGINT, label VARCHAR)`);
    else statements.push(`CREATE TABLE ${name} (id BIGINT, v BIGINT, label VARCHAR)`);
    const cursor = shape === 0 ? `, TIMESTAMP '2026-01-01' + to_seconds(i)` : '';
    statements.push(`INSERT INTO ${name} SELECT i, i * 7, 'row ' || i${cursor} FROM range(1, ${rows + 1}) r(i)`);
  }
  return statements;
}

/** The shape of table `t<i>`. */
export function manyTablesShape(i: number): 'cursor' | 'keyed' | 'keyless' {
  return (['cursor', 'keyed', 'keyless'] as const)[i % 3] ?? 'keyless';
}
