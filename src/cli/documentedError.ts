/**
 * An error raised after a command did part of its work: `document` holds that part, and the
 * --json output is this document with `ok: false` and the error.
 */
export class DocumentedError extends Error {
  constructor(
    readonly error: unknown,
    readonly document: object,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.name = 'DocumentedError';
  }
}
