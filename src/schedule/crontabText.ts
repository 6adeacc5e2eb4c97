/**
 * Finding, replacing and removing duckdb-sync's entry in crontab text. The entry is two lines: the
 * marker comment, then the job line. Every other line is kept byte for byte.
 */
import { CrontabError } from '../errors.js';

/** The comment line that marks our entry; the job line follows it. */
export const CRONTAB_MARKER = '# duckdb-sync: nightly full sync (managed by `duckdb-sync schedule`; run it again to change, --remove to delete)';
const MARKER_PREFIX = '# duckdb-sync: nightly full sync';

export interface ManagedEntry {
  /** The job line after the marker, when there is one. */
  line: string | undefined;
}

/** The first managed entry in `text`, if any. */
export function findManagedEntry(text: string): ManagedEntry | undefined {
  const lines = splitLines(text);
  const i = lines.findIndex(isMarker);
  if (i < 0) return undefined;
  const next = lines[i + 1];
  return { line: next !== undefined && isOurJob(next) ? next : undefined };
}

/**
 * Debian's `crontab -l` prints a carriage return as the two characters `\r`, so a crontab with
 * CR line endings cannot be read and written back unchanged: refuse rather than alter those lines.
 */
export function assertRewritable(text: string): void {
  const count = splitLines(text).filter((l) => l.endsWith('\\r')).length;
  if (count === 0) return;
  throw new CrontabError(
    `the crontab has ${count} line(s) ending in a carriage return (shown as \\r by crontab -l); rewriting it would change them`,
    `remove the carriage returns first, for example: crontab -l | sed 's/\\\\r$//' | crontab -`,
  );
}

/** `text` without any managed entry (marker and job line). */
export function withoutManagedEntry(text: string): string {
  return replaceManaged(text, undefined).text;
}

/**
 * `text` with the managed entry set to `jobLine`: in place of the first existing entry (others are
 * dropped), or appended at the end.
 */
export function withManagedEntry(text: string, jobLine: string): { text: string; replaced: boolean } {
  return replaceManaged(text, jobLine);
}

function replaceManaged(text: string, jobLine: string | undefined): { text: string; replaced: boolean } {
  const lines = splitLines(text);
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!isMarker(line)) {
      out.push(line);
      continue;
    }
    const next = lines[i + 1];
    if (next !== undefined && isOurJob(next)) i++;
    if (!found && jobLine !== undefined) out.push(CRONTAB_MARKER, jobLine);
    found = true;
  }
  if (!found && jobLine !== undefined) out.push(CRONTAB_MARKER, jobLine);
  return { text: joinLines(out), replaced: found };
}

function isMarker(line: string): boolean {
  return line.startsWith(MARKER_PREFIX);
}

/** A job line (not a comment, not blank, not a variable) that runs duckdb-sync. */
function isOurJob(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('#') && trimmed.includes('duckdb-sync');
}

/** Lines without their `\n` (a `\r` stays part of its line). */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** crontab refuses a file without a final newline, so there always is one. */
function joinLines(lines: string[]): string {
  return lines.length ? lines.join('\n') + '\n' : '';
}
