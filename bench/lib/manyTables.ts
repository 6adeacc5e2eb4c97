/**
 * Tables of mixed shapes for the latency cases (issue 14): table `t<i>` is keyed with a cursor
 * column (i % 3 = 0), keyed without one (i % 3 = 1), or without a key (i % 3 = 2), each with
 * `rows` rows whose `id` runs from 1. Around them, the rest of a database (issue 15): a view per
 * table in schema `reporting`, views on those views, scalar and table macros, sequences, comments.
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
    statements.push(`COMMENT ON TABLE ${name} IS 'table ${i}'`);
  }
  statements.push('CREATE SCHEMA reporting');
  for (let i = 0; i < tables; i++) statements.push(`CREATE VIEW reporting."v_t${i}" AS SELECT id, v FROM main."t${i}" WHERE v % 2 = 0`);
  for (let i = 0; i + 1 < tables && i < 20; i += 2) statements.push(`CREATE VIEW reporting."pair_${i}" AS SELECT a.id, a.v + b.v AS v FROM reporting."v_t${i}" a JOIN reporting."v_t${i + 1}" b USING (id)`);
  for (let i = 0; i < 10; i++) statements.push(`CREATE MACRO "scale_${i}"(x) AS x * ${i + 1}`);
  for (let i = 0; i < 5 && i < tables; i++) statements.push(`CREATE MACRO reporting."top_t${i}"(n) AS TABLE SELECT * FROM main."t${i}" ORDER BY v DESC LIMIT n`);
  for (let i = 0; i < 5; i++) statements.push(`CREATE SEQUENCE "ids_${i}" START ${1000 * (i + 1)}`);
  return statements;
}

/** The shape of table `t<i>`. */
export function manyTablesShape(i: number): 'cursor' | 'keyed' | 'keyless' {
  return (['cursor', 'keyed', 'keyless'] as const)[i % 3] ?? 'keyless';
}
