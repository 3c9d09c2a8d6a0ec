// Formatting for display: coins, hashes, ages, big numbers.

export function shortHash(h: string | null | undefined, n = 8): string {
  if (!h) return '—';
  return h.length <= 2 + n * 2 ? h : `${h.slice(0, 2 + n)}…${h.slice(-4)}`;
}

/** Base units (decimal string) as coins with `decimals`, trailing zeros trimmed. */
export function formatCoins(
  units: string | null | undefined,
  decimals: number,
  symbol?: string,
): string {
  if (units === null || units === undefined) return '—';
  let v: bigint;
  try {
    v = BigInt(units);
  } catch {
    return units;
  }
  const neg = v < 0n;
  if (neg) v = -v;
  const scale = 10n ** BigInt(decimals);
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  // Whole coins: 8 decimals are plenty; below one coin, every digit (gas prices are tiny).
  if (whole > 0n && frac.length > 8) frac = frac.slice(0, 8) + '…';
  const text = `${neg ? '-' : ''}${whole.toLocaleString('en-US')}${frac ? '.' + frac : ''}`;
  return symbol ? `${text} ${symbol}` : text;
}

export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const sign = seconds < 0 ? '−' : '';
  return sign + formatAge(Math.abs(seconds));
}

export function formatHashrate(hs: number | null): string {
  if (hs === null) return '—';
  if (hs >= 1e9) return `${(hs / 1e9).toFixed(2)} GH/s`;
  if (hs >= 1e6) return `${(hs / 1e6).toFixed(2)} MH/s`;
  if (hs >= 1e3) return `${(hs / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(hs)} H/s`;
}

/** A large decimal or 0x-hex integer, readable: 12,345 or 1.23 × 10^18 (≈ 2^60.1). */
export function formatBig(value: string | null | undefined): string {
  if (!value) return '—';
  let v: bigint;
  try {
    v = BigInt(value);
  } catch {
    return value;
  }
  if (v < 1_000_000_000n) return v.toLocaleString('en-US');
  const digits = v.toString();
  const exp = digits.length - 1;
  return `${digits[0]}.${digits.slice(1, 3)} × 10^${exp}`;
}

/** log2 of a big integer (hex or decimal string), for "about 2^n hashes". */
export function log2Big(value: string | null | undefined): number | null {
  if (!value) return null;
  try {
    const v = BigInt(value);
    if (v <= 0n) return null;
    const bits = v.toString(2).length;
    const top = Number(v >> BigInt(Math.max(0, bits - 53)));
    return Math.log2(top) + Math.max(0, bits - 53);
  } catch {
    return null;
  }
}

export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

export function hexToBinary(hex: string): string {
  return hex
    .replace(/^0x/, '')
    .split('')
    .map((c) => parseInt(c, 16).toString(2).padStart(4, '0'))
    .join('');
}

/** Node colours: distinct, each with ≥ 4.5:1 contrast on white. */
export const NODE_COLORS = [
  '#1d4ed8',
  '#b45309',
  '#047857',
  '#7c3aed',
  '#be123c',
  '#0e7490',
  '#4d7c0f',
  '#a21caf',
  '#334155',
];

export function nodeColor(id: string): string {
  const n = Number(id.slice(id.lastIndexOf('-') + 1)) || 1;
  return NODE_COLORS[(n - 1) % NODE_COLORS.length]!;
}

/** Chainwork (hex) as expected hashes: exact when small, else as a power of two. */
export function formatWork(hex: string | null | undefined): string {
  if (!hex) return '—';
  let v: bigint;
  try {
    v = BigInt(hex);
  } catch {
    return hex;
  }
  if (v < 10n ** 12n) return `${v.toLocaleString('en-US')} hashes`;
  const l = log2Big(hex);
  return l === null ? '—' : `≈ 2^${l.toFixed(3)} hashes`;
}
