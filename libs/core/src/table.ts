/** Columns padded to their widest cell, for --table output meant for people. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)}${units[i]}`;
}

const AGE_UNITS: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];

/** A duration for people, in its two largest units and one word: 45s, 3m12s, 2h5m, 3d4h (a negative one is 0s). */
export function formatAge(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const i = AGE_UNITS.findIndex(([, seconds]) => total >= seconds);
  if (i < 0) return '0s';
  const [unit, size] = AGE_UNITS[i]!;
  const next = AGE_UNITS[i + 1];
  const rest = next ? Math.floor((total % size) / next[1]) : 0;
  return `${Math.floor(total / size)}${unit}${rest > 0 ? `${rest}${next![0]}` : ''}`;
}
