#!/usr/bin/env node
import { main } from './program.js';

// Output piped into a reader that stops early (`duckdb-sync conflicts | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
