import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readFileStamp, sameFileStamp, type FileStamp } from '../db/fileStamp.js';
import { silentLogger, type Logger } from '../log/logger.js';

export interface FileWatcherOptions {
  /** The database file; its `.wal` is watched with it. */
  path: string;
  /** How often the file's stamp is read even when no file event came (network file systems, containers). */
  pollMs: number;
  /** Called with the new stamp (undefined: the file is gone) each time the stamp differs from the last one seen. */
  onChange: (stamp: FileStamp | undefined) => void;
  /** Whether to use the operating system's file events (inotify…) besides polling; default true. */
  fileEvents?: boolean;
  logger?: Logger;
}

/**
 * Watches a DuckDB database file and its WAL for writes by any program. File events (fs.watch on the
 * folder, so that a WAL created or removed, or the file replaced, is seen) make it quick; a poll of
 * the file's stamp every `pollMs` makes it work where there are no file events (NFS, some
 * containers, an exhausted inotify limit). Either way a change is reported only when the stamp
 * (db/fileStamp.ts: inode, size, times, headers, WAL size) differs from the last one reported, so
 * spurious events cost one stat.
 */
export class FileWatcher {
  private readonly logger: Logger;
  private readonly names: Set<string>;
  private last: FileStamp | undefined;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  private paused = false;

  constructor(private readonly options: FileWatcherOptions) {
    this.logger = options.logger ?? silentLogger;
    const name = basename(options.path);
    this.names = new Set([name, `${name}.wal`]);
    this.last = readFileStamp(options.path);
  }

  /** The stamp seen last (undefined: no file). */
  get stamp(): FileStamp | undefined {
    return this.last;
  }

  start(): void {
    if (this.options.fileEvents !== false) this.watchFolder();
    this.poll = setInterval(() => this.check(), this.options.pollMs);
    this.poll.unref();
  }

  /**
   * Stops reading the file until resume(): while this process has the file open in DuckDB, reading
   * it would drop DuckDB's lock (db/fileStamp.ts, StampReader).
   */
  pause(): void {
    this.paused = true;
  }

  /** Reads the file again; the stamp it has now is taken as seen, without a report. */
  resume(): void {
    this.paused = false;
    this.last = readFileStamp(this.options.path);
  }

  /** Reads the stamp now and reports it if it changed. */
  check(): void {
    if (this.closed || this.paused) return;
    const now = readFileStamp(this.options.path);
    const changed = now === undefined || this.last === undefined ? now !== this.last : !sameFileStamp(now, this.last);
    if (!changed) return;
    this.last = now;
    this.options.onChange(now);
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
  }

  private watchFolder(): void {
    try {
      this.watcher = watch(dirname(this.options.path), { persistent: false }, (_event, name) => {
        if (name === null || this.names.has(name.toString())) this.check();
      });
      this.watcher.on('error', (error) => this.fileEventsFailed(error));
    } catch (error) {
      this.fileEventsFailed(error);
    }
  }

  private fileEventsFailed(error: unknown): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.logger.warn(
      `file events for ${this.options.path} are not available (${error instanceof Error ? error.message : String(error)}): ` +
        `writes are noticed by reading the file's stamp every ${this.options.pollMs} ms`,
    );
  }
}
