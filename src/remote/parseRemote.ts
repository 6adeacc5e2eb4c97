import { UsageError } from '../errors.js';
import { FileRemote } from './file/fileRemote.js';
import { MotherDuckEmulatorRemote } from './motherduckEmulatorRemote.js';
import { MotherDuckRemote } from './motherduck/motherduckRemote.js';
import type { Remote, RemoteOptions } from './remote.js';

/**
 * The remote named by `uri`: `md:<database>` for MotherDuck, `mdemu:<path>` for the MotherDuck
 * emulator (a DuckDB file attached and written by MotherDuck's rules), otherwise a DuckDB file.
 */
export function parseRemote(uri: string, options: RemoteOptions = {}): Remote {
  if (uri.startsWith('md:')) return new MotherDuckRemote(uri, options);
  if (uri.startsWith('mdemu:')) return new MotherDuckEmulatorRemote(uri, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new UsageError(`unsupported remote: ${uri}`, 'use md:<database> for MotherDuck, mdemu:<path> for its emulator, or the path of a DuckDB file');
  }
  return new FileRemote(uri, options);
}
