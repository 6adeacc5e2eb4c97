import { duckdb } from '../duckdb/duckdbApi.js';
import { rmSync } from 'node:fs';

/**
 * Creates a DuckDB file standing in for the cloud database, with sample data: `emails` (primary key
 * and updated_at), `page_views` (no key, duplicate rows), `analytics.daily_stats` in a second
 * schema, the view `analytics.top_senders` and the macro `kb_to_mb`. An existing file at `path` is replaced.
 */
export async function createDemoRemote(path: string, emails = 5000): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const instance = await duckdb.DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    await c.run(`CREATE TYPE priority AS ENUM ('low', 'normal', 'high')`);
    await c.run(`CREATE TABLE emails (
      id INTEGER PRIMARY KEY,
      sender VARCHAR NOT NULL,
      recipients VARCHAR[],
      subject VARCHAR,
      body VARCHAR,
      priority priority,
      size_kb DECIMAL(10, 2),
      headers STRUCT(spam_score DOUBLE, "message-id" VARCHAR),
      received_at TIMESTAMPTZ,
      updated_at TIMESTAMP
    )`);
    await c.run(
      `INSERT INTO emails
       SELECT i,
              'sender' || (i % 97) || '@example.com',
              ['team' || (i % 7) || '@example.com', 'ops@example.com'],
              'Subject ' || i || CASE WHEN i % 10 = 0 THEN ' — réunion à 10h' ELSE '' END,
              repeat('lorem ipsum ', 1 + i % 5),
              (['low', 'normal', 'high'])[1 + i % 3]::priority,
              round(1 + (i % 1000) / 7.0, 2),
              {'spam_score': (i % 100) / 100.0, 'message-id': '<' || i || '@mail.example.com>'},
              TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i),
              TIMESTAMP '2024-01-01 00:00:00' + to_minutes(i) + to_seconds(i % 60)
         FROM range(1, $1 + 1) t(i)`,
      [emails],
    );
    await c.run(`CREATE TABLE page_views (path VARCHAR, viewed_on DATE, visitor UUID)`);
    await c.run(
      `INSERT INTO page_views
       SELECT '/page/' || (i % 20), DATE '2024-03-01' + (i % 30)::INTEGER,
              CASE WHEN i % 4 = 0 THEN NULL ELSE '00000000-0000-0000-0000-' || lpad((i % 50)::VARCHAR, 12, '0') END::UUID
         FROM range(0, 2000) t(i)`,
    );
    await c.run(`CREATE SCHEMA analytics`);
    await c.run(`CREATE TABLE analytics.daily_stats (day DATE PRIMARY KEY, emails BIGINT, avg_size_kb DOUBLE, top_sender VARCHAR)`);
    await c.run(
      `INSERT INTO analytics.daily_stats
       SELECT CAST(received_at AS DATE), count(*), avg(size_kb), mode(sender) FROM emails GROUP BY ALL`,
    );
    // The rest of a database, which a sync brings along: a view, a macro, comments.
    await c.run(`CREATE VIEW analytics.top_senders AS SELECT sender, count(*) AS emails FROM main.emails GROUP BY sender ORDER BY emails DESC LIMIT 10`);
    await c.run(`CREATE MACRO kb_to_mb(kb) AS round(kb / 1024, 3)`);
    await c.run(`COMMENT ON TABLE emails IS 'sample mailbox'`);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
