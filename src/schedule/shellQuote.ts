/** Characters that never need quoting for sh. */
const SAFE = /^[\w@%+=:,./-]+$/;

/** Quotes one word for POSIX sh: single quotes, with each `'` written as `'\''`. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
