import { spawn } from 'node:child_process';
import { CrontabError, CrontabUnavailableError } from '../errors.js';

/** Reads and replaces the current user's crontab. */
export interface CrontabAccess {
  /** The crontab's text; '' when the user has none. */
  read(): Promise<string>;
  /** Installs `text` as the crontab; '' removes it. */
  write(text: string): Promise<void>;
}

/** The real `crontab` program, found on PATH (of `env`, default the process environment). */
export function systemCrontab(env: NodeJS.ProcessEnv = process.env): CrontabAccess {
  return {
    async read() {
      const r = await runCrontab(['-l'], undefined, env);
      if (r.code === 0) return r.stdout;
      if (/no crontab for/i.test(r.stderr)) return '';
      throw new CrontabError(`crontab -l failed: ${firstLine(r.stderr) || `exit code ${r.code}`}`);
    },
    async write(text) {
      if (text === '') {
        const r = await runCrontab(['-r'], undefined, env);
        if (r.code === 0 || /no crontab for/i.test(r.stderr)) return;
        throw new CrontabError(`crontab -r failed: ${firstLine(r.stderr) || `exit code ${r.code}`}`);
      }
      const r = await runCrontab(['-'], text, env);
      if (r.code !== 0) throw new CrontabError(`crontab refused the new table: ${firstLine(r.stderr) || `exit code ${r.code}`}`);
    },
  };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCrontab(args: string[], input: string | undefined, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('crontab', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new CrontabUnavailableError() : new CrontabError(`cannot run crontab: ${error.message}`));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // crontab may exit before reading; its exit code tells
    child.stdin.end(input ?? '');
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
