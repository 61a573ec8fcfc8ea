/** A small log–log line chart as standalone SVG, for benchmark results. */

export interface Series {
  name: string;
  colour: string;
  points: Array<[x: number, y: number]>;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const W = 760;
const H = 480;
const M = { left: 78, right: 190, top: 64, bottom: 58 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const decadesOf = (lo: number, hi: number) => {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
};
const label = (v: number) =>
  v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 1000 ? `${v / 1000}k` : v >= 1 ? `${v}` : `${v}`;

/** Renders the series on log–log axes spanning whole decades. */
export const logLogChart = (spec: ChartSpec): string => {
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0) throw new Error('nothing to plot');
  const xs = decadesOf(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])));
  const ys = decadesOf(Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1])));
  const [x0, x1] = [Math.log10(xs[0] as number), Math.log10(xs.at(-1) as number)];
  const [y0, y1] = [Math.log10(ys[0] as number), Math.log10(ys.at(-1) as number)];
  const px = (x: number) => M.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="26" font-size="16" font-weight="600">${esc(spec.title)}</text>`,
  ];
  if (spec.subtitle) parts.push(`<text x="${M.left}" y="45" fill="#555">${esc(spec.subtitle)}</text>`);
  for (const x of xs) {
    parts.push(
      `<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#e5e5e5"/>`,
      `<text x="${px(x)}" y="${H - M.bottom + 18}" text-anchor="middle">${label(x)}</text>`,
    );
  }
  for (const y of ys) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 8}" y="${py(y) + 4}" text-anchor="end">${label(y)}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 16}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(20 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => x > 0 && y > 0);
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      ...p.map(
        ([x, y]) =>
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${s.colour}"><title>${esc(s.name)}: ${y.toPrecision(3)} at ${label(x)}</title></circle>`,
      ),
    );
    const ly = M.top + 14 + i * 22;
    parts.push(
      `<line x1="${W - M.right + 16}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${W - M.right + 46}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
};
