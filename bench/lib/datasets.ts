/**
 * Generated data sets, built in SQL with range(): deterministic for a given row count and DuckDB
 * version, with a primary key, an updated_at cursor column, and a realistic mix of types
 * (integers, short and long varchars with NULLs, doubles, booleans, timestamps).
 */

/** Bump when the generated content changes, so cached files are rebuilt. */
export const ORDERS_VERSION = 1;

export const ORDERS_TABLE = 'orders';

export function createOrdersSql(table = ORDERS_TABLE): string {
  return `CREATE TABLE ${table} (
    id BIGINT PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    customer_name VARCHAR NOT NULL,
    email VARCHAR,
    country VARCHAR,
    status VARCHAR NOT NULL,
    amount DOUBLE,
    is_paid BOOLEAN,
    note VARCHAR,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
  )`;
}

/** Rows with ids firstId … firstId+rows-1. */
export function insertOrdersSql(rows: number, firstId = 1, table = ORDERS_TABLE): string {
  const first = `['Ana','Ben','Chloé','David','Emma','Farid','Grace','Hugo','Ines','Jonas','Kenji','Lena','Mateo','Nora','Omar','Priya']`;
  const last = `['Silva','Müller','Dubois','Rossi','Kowalski','Johansson','Tanaka','Okafor','García','Smith','Nguyen','Haddad']`;
  const countries = `['US','DE','FR','GB','BR','IN','JP','NL','ES','IT','CA','AU','SE','PL','MX','NG']`;
  const statuses = `['pending','paid','shipped','delivered','cancelled','refunded']`;
  return `INSERT INTO ${table}
    WITH src AS (
      SELECT range AS id, hash(range) AS h1, hash(range * 7919 + 17) AS h2
        FROM range(${firstId}, ${firstId + rows})
    ), named AS (
      SELECT *, ${first}[1 + (h1 % 16)::INTEGER] AS fname, ${last}[1 + (h2 % 12)::INTEGER] AS lname,
             TIMESTAMP '2021-01-01' + to_seconds((h1 % 126230400)::BIGINT) AS created
        FROM src
    )
    SELECT
      id,
      (h1 % 250000)::INTEGER + 1,
      fname || ' ' || lname,
      CASE WHEN h2 % 20 = 0 THEN NULL ELSE lower(fname || '.' || lname) || (h1 % 1000)::VARCHAR || '@example.com' END,
      CASE WHEN h2 % 50 = 0 THEN NULL ELSE ${countries}[1 + ((h1 >> 8) % 16)::INTEGER] END,
      ${statuses}[1 + ((h2 >> 8) % 6)::INTEGER],
      CASE WHEN h1 % 100 = 0 THEN NULL ELSE round(((h2 >> 16) % 10000000)::DOUBLE / 100, 2) END,
      (h1 >> 4) % 3 <> 0,
      CASE WHEN h2 % 3 = 0 THEN NULL ELSE 'ref ' || left(md5(id::VARCHAR), 4 + ((h2 >> 4) % 28)::INTEGER) END,
      created,
      created + to_seconds(((h2 >> 20) % 31536000)::BIGINT)
    FROM named`;
}
