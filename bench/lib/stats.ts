export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function min(values: number[]): number {
  return values.length ? Math.min(...values) : Number.NaN;
}

export function max(values: number[]): number {
  return values.length ? Math.max(...values) : Number.NaN;
}
