import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const holders: ChildProcess[] = [];

after(() => {
  for (const child of holders) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface HeldFile {
  pid: number;
  /** Closes the file in the other process and waits for it to exit. */
  release(): Promise<void>;
}

/** Starts another process that opens the DuckDB file `path` read-write and holds it until `release()` (or `holdMs` elapses). */
export async function holdFile(path: string, holdMs = 30_000): Promise<HeldFile> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(path)});
    const connection = await instance.connect();
    const done = () => { connection.closeSync(); instance.closeSync(); process.exit(0); };
    process.stdout.write('ready\\n');
    process.stdin.on('data', done);
    setTimeout(done, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid: child.pid as number,
    release: async () => {
      child.stdin?.write('x');
      await exited;
    },
  };
}
