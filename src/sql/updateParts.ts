import { keyword, type Token } from './sqlTokens.js';

/**
 * The table reference (`main.t AS x`) and the condition (after WHERE) of a lone `UPDATE … SET …
 * WHERE …` text of these tokens, as written; undefined when the text is not so shaped. The SET and
 * WHERE taken are the first outside parentheses (a subquery in a SET value has its own).
 */
export function updateParts(all: Token[] | undefined, sql: string): { table: string; condition: string } | undefined {
  const tokens = all?.filter((t) => t.type !== 'SEMICOLON');
  if (!tokens?.length || keyword(tokens[0]) !== 'UPDATE') return undefined;
  // The first SET and the first WHERE outside parentheses.
  let depth = 0;
  let set: number | undefined;
  let where: number | undefined;
  tokens.forEach((t, i) => {
    if (t.type === 'L_PAREN') depth++;
    else if (t.type === 'R_PAREN') depth--;
    else if (depth === 0 && set === undefined && keyword(t) === 'SET') set = i;
    else if (depth === 0 && set !== undefined && where === undefined && keyword(t) === 'WHERE') where = i;
  });
  const first = tokens[1];
  const beforeSet = set === undefined ? undefined : tokens[set - 1];
  const afterWhere = where === undefined ? undefined : tokens[where + 1];
  const last = tokens[tokens.length - 1];
  if (!first || !beforeSet || !afterWhere || !last || set === 1) return undefined;
  const chars = Array.from(sql);
  return { table: chars.slice(first.start, beforeSet.end).join(''), condition: chars.slice(afterWhere.start, last.end).join('') };
}
