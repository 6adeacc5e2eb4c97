import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const duckdbApiUrl = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;

/**
 * Another process holding a DuckDB file read-write, as a second client would. It releases the file
 * after `holdMs` (when given) or when `release()` is called.
 */
export interface LockHolder {
  pid: number;
  /** Resolves once the file is open. */
  ready: Promise<void>;
  /** Closes the file and waits for the process to exit. */
  release(): Promise<void>;
  /** Resolves when the holder has closed the file and exited. */
  exited: Promise<number | null>;
}

export function holdFile(path: string, holdMs?: number): LockHolder {
  const script = `
    const { DuckDBInstance } = await import(${JSON.stringify(duckdbApiUrl)});
    const instance = await DuckDBInstance.create(${JSON.stringify(path)});
    const connection = await instance.connect();
    await connection.run('SELECT 1');
    const release = () => { connection.closeSync(); instance.closeSync(); process.stdout.write('released\\n'); process.exit(0); };
    process.stdin.on('data', release);
    process.stdin.on('end', release);
    ${holdMs === undefined ? '' : `setTimeout(release, ${holdMs});`}
    process.stdout.write('ready\\n');
  `;
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`lock holder exited (${code}) before opening ${path}: ${stderr}`)));
  });
  return {
    pid: child.pid as number,
    ready,
    exited,
    release: async () => {
      if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
      await exited;
    },
  };
}
