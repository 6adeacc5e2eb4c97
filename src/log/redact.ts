/** Replaces every occurrence of the secrets in `text` (tokens never reach a log or an error). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  // MotherDuck tokens can also appear as URI parameters.
  return out.replace(/(motherduck_token\s*[=:]\s*['"]?)[^'"\s&;]+/gi, '$1***');
}
