import { asRecord } from './tableRef.js';

/** A token of the polyglot-sql tokenizer. */
export interface Token {
  type: string;
  text: string;
  /** Offsets in code points, as the SDK reports them. */
  start: number;
  end: number;
}

/** The tokens of a tokenizer result; undefined when it failed or is not shaped as expected. */
export function readTokens(result: { success: boolean; tokens?: unknown[] | null }): Token[] | undefined {
  if (!result.success || !result.tokens) return undefined;
  const tokens: Token[] = [];
  for (const raw of result.tokens) {
    const t = asRecord(raw);
    // The SDK's typings say `tokenType`; version 0.12 sends `token_type`.
    const type = t?.token_type ?? t?.tokenType;
    const span = asRecord(t?.span);
    if (typeof type !== 'string' || typeof t?.text !== 'string' || typeof span?.start !== 'number' || typeof span.end !== 'number') return undefined;
    tokens.push({ type, text: t.text, start: span.start, end: span.end });
  }
  return tokens;
}

/** The upper-cased keyword a token spells; undefined for strings and quoted identifiers. */
export function keyword(t: Token | undefined): string | undefined {
  if (!t || t.type === 'QUOTED_IDENTIFIER' || t.type.endsWith('STRING')) return undefined;
  return t.text.toUpperCase();
}
