import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogFields, Logger, LogLevel } from './logger.js';
import { redact } from './redact.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  /** Lowest level written to stderr. */
  level: LogLevel;
  /** Folder of the daily log files (`duckdb-sync-YYYY-MM-DD.log`); none when undefined. */
  logDir: string | undefined;
  /** Secrets removed from every line. */
  secrets: ReadonlyArray<string | undefined>;
  /** Where human lines go (stderr by default). */
  write?: (line: string) => void;
}

/**
 * The CLI's logger: human-readable lines on stderr and, at debug level, the same lines in a daily
 * file. Lines are formatted here and appended synchronously, so a killed process loses nothing.
 */
export class FileLogger implements Logger {
  private readonly write: (line: string) => void;
  private dirReady = false;

  constructor(private readonly options: FileLoggerOptions) {
    this.write = options.write ?? ((line) => process.stderr.write(line + '\n'));
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  /** Writes a line to the log file only (for what the caller already printed itself). */
  fileOnly(level: LogLevel, message: string): void {
    this.appendToFile(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${redact(message, this.options.secrets)}\n`);
  }

  /** Path of today's log file. */
  filePath(date = new Date()): string | undefined {
    if (!this.options.logDir) return undefined;
    return join(this.options.logDir, `duckdb-sync-${date.toISOString().slice(0, 10)}.log`);
  }

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    const text = redact(message + formatFields(fields), this.options.secrets);
    if (ORDER[level] >= ORDER[this.options.level]) {
      this.write(level === 'info' ? text : `${level}: ${text}`);
    }
    this.appendToFile(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${text}\n`);
  }

  private appendToFile(line: string): void {
    const path = this.filePath();
    if (!path) return;
    try {
      if (!this.dirReady) {
        mkdirSync(this.options.logDir as string, { recursive: true });
        this.dirReady = true;
      }
      appendFileSync(path, line);
    } catch {
      // A log file that cannot be written must not stop a sync; stderr still has the line.
    }
  }
}

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`);
  return parts.length ? ` (${parts.join(' ')})` : '';
}
