/**
 * Whether a DEFAULT expression, as DuckDB renders it, is a literal: a number, a string, NULL, TRUE
 * or FALSE, a negative number, or a cast of one (`CAST('x' AS DATE)`, `'x'::DATE`), in parentheses
 * or not. String literals must have been blanked to `''` by the caller or be whole. DuckLake keeps
 * only such defaults.
 */
export function isLiteralDefault(expression: string): boolean {
  let e = expression.trim();
  while (/^\((.*)\)$/s.test(e)) e = e.slice(1, -1).trim();
  const literal = /^(?:NULL|TRUE|FALSE|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|'(?:[^']|'')*')$/i;
  const cast = /^CAST\s*\(\s*(.*?)\s+AS\s+[\w\s"(),.[\]]+\)$/is.exec(e);
  if (cast) return literal.test((cast[1] ?? '').trim());
  const shortCast = /^(.*?)\s*::\s*[\w\s"(),.[\]]+$/s.exec(e);
  if (shortCast) return literal.test((shortCast[1] ?? '').trim());
  return literal.test(e);
}
