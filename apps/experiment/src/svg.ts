// Hand-written SVG charts: line/point charts with error bars and a bar chart. No browser,
// no dependency; the output is small, deterministic text that diffs well in git.

import { maxOf, minOf } from './extent.js';

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** 'line' (default), 'points' (markers), or 'both'. */
  style?: 'line' | 'points' | 'both';
  dashed?: boolean;
  color?: string;
  /** ± error per point (same order as points), drawn as vertical bars. */
  errors?: readonly number[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  /** Vertical markers (e.g. faults). */
  markers?: readonly { x: number; label: string }[];
  legend?: 'top-left' | 'top-right' | 'bottom-right';
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round for output: 2 decimals of a pixel. */
const px = (v: number): string => (Math.round(v * 100) / 100).toString();

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= target) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { l: 70, r: 20, t: 40, b: 55 };
  const all = o.series.flatMap((s) =>
    s.points.map((p, i) => [p[0], p[1], s.errors?.[i] ?? 0] as const),
  );
  const finite = all.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let xMin = o.xMin ?? minOf(finite, (p) => p[0]);
  let xMax = o.xMax ?? maxOf(finite, (p) => p[0]);
  let yMin = o.yMin ?? minOf(finite, (p) => p[1] - p[2]);
  let yMax = o.yMax ?? maxOf(finite, (p) => p[1] + p[2]);
  if (!Number.isFinite(xMin) || !Number.isFinite(xMax)) [xMin, xMax] = [0, 1];
  if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
  if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];
  if (yMax === yMin) [yMin, yMax] = [yMin - 1, yMax + 1];
  if (o.yMin === undefined || o.yMax === undefined) {
    const pad = (yMax - yMin) * 0.05;
    if (o.yMin === undefined) yMin -= pad;
    if (o.yMax === undefined) yMax += pad;
  }
  const xs = (x: number) => m.l + ((x - xMin) / (xMax - xMin)) * (W - m.l - m.r);
  const ys = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  );
  // Axes and grid.
  for (const t of niceTicks(xMin, xMax)) {
    if (t < xMin || t > xMax) continue;
    out.push(
      `<line x1="${px(xs(t))}" y1="${m.t}" x2="${px(xs(t))}" y2="${H - m.b}" stroke="#eee"/>`,
    );
    out.push(`<text x="${px(xs(t))}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(yMin, yMax)) {
    if (t < yMin || t > yMax) continue;
    out.push(
      `<line x1="${m.l}" y1="${px(ys(t))}" x2="${W - m.r}" y2="${px(ys(t))}" stroke="#eee"/>`,
    );
    out.push(`<text x="${m.l - 6}" y="${px(ys(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
  );
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(o.yLabel)}</text>`,
  );
  out.push(
    `<clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}"/></clipPath>`,
  );
  for (const mk of o.markers ?? []) {
    if (mk.x < xMin || mk.x > xMax) continue;
    out.push(
      `<line x1="${px(xs(mk.x))}" y1="${m.t}" x2="${px(xs(mk.x))}" y2="${H - m.b}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
    out.push(
      `<text x="${px(xs(mk.x) + 3)}" y="${m.t + 12}" fill="#666" font-size="10">${esc(mk.label)}</text>`,
    );
  }
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const style = s.style ?? 'line';
    const g: string[] = [`<g clip-path="url(#plot)">`];
    if (style !== 'points' && pts.length > 1) {
      const d = pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(xs(x))} ${px(ys(y))}`).join('');
      g.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    }
    if (style !== 'line') {
      s.points.forEach(([x, y], k) => {
        if (!Number.isFinite(x) || !Number.isFinite(y)) return;
        const e = s.errors?.[k];
        if (e)
          g.push(
            `<line x1="${px(xs(x))}" y1="${px(ys(y - e))}" x2="${px(xs(x))}" y2="${px(ys(y + e))}" stroke="${color}"/>`,
          );
        g.push(`<circle cx="${px(xs(x))}" cy="${px(ys(y))}" r="3.5" fill="${color}"/>`);
      });
    }
    g.push('</g>');
    out.push(g.join(''));
  });
  // Legend.
  const lw =
    Math.max(
      maxOf(o.series, (s) => s.name.length),
      4,
    ) *
      6.5 +
    40;
  const lx = o.legend === 'top-left' ? m.l + 10 : W - m.r - lw - 10;
  const ly0 = o.legend === 'bottom-right' ? H - m.b - 10 - o.series.length * 18 : m.t + 10;
  out.push(
    `<rect x="${px(lx)}" y="${px(ly0)}" width="${px(lw)}" height="${o.series.length * 18 + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`,
  );
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const y = ly0 + 14 + i * 18;
    if ((s.style ?? 'line') === 'points')
      out.push(`<circle cx="${px(lx + 17)}" cy="${px(y - 4)}" r="3.5" fill="${color}"/>`);
    else
      out.push(
        `<line x1="${px(lx + 6)}" y1="${px(y - 4)}" x2="${px(lx + 28)}" y2="${px(y - 4)}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    out.push(`<text x="${px(lx + 34)}" y="${px(y)}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function barChart(o: {
  title: string;
  yLabel: string;
  categories: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { l: 70, r: 20, t: 40, b: 70 };
  const yMax =
    Math.max(
      1e-9,
      maxOf(
        o.series.flatMap((s) => s.values),
        (v) => v,
      ),
    ) * 1.1;
  const ys = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const groupW = (W - m.l - m.r) / Math.max(1, o.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, o.series.length);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  );
  for (const t of niceTicks(0, yMax)) {
    if (t > yMax) continue;
    out.push(
      `<line x1="${m.l}" y1="${px(ys(t))}" x2="${W - m.r}" y2="${px(ys(t))}" stroke="#eee"/>`,
    );
    out.push(`<text x="${m.l - 6}" y="${px(ys(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  o.categories.forEach((c, i) => {
    const x0 = m.l + i * groupW + groupW * 0.1;
    o.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      out.push(
        `<rect x="${px(x0 + k * barW)}" y="${px(ys(v))}" width="${px(barW * 0.95)}" height="${px(ys(0) - ys(v))}" fill="${PALETTE[k % PALETTE.length]}"/>`,
      );
    });
    const cx = x0 + (groupW * 0.8) / 2;
    out.push(
      `<text x="${px(cx)}" y="${H - m.b + 14}" text-anchor="end" transform="rotate(-35 ${px(cx)} ${H - m.b + 14})">${esc(c)}</text>`,
    );
  });
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(o.yLabel)}</text>`,
  );
  o.series.forEach((s, k) => {
    const y = m.t + 16 + k * 18;
    out.push(
      `<rect x="${W - m.r - 150}" y="${y - 10}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/>`,
    );
    out.push(`<text x="${W - m.r - 132}" y="${y}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
