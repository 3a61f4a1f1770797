// The accuracy-vs-sparsity figure of bench:prune as an SVG we write ourselves (sharp turns it into a PNG).

export interface PlotSeries {
  name: string;
  color: string;
  /** drawn dashed (e.g. a second schedule of the same criterion) */
  dashed?: boolean;
  points: { x: number; mean: number; std: number }[];
}

const width = 760;
const height = 460;
const margin = { left: 70, right: 170, top: 40, bottom: 60 };

export function accuracyPlotSvg(
  title: string,
  series: PlotSeries[],
  dense: { mean: number; std: number },
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series
    .flatMap((s) => s.points.flatMap((p) => [p.mean - p.std, p.mean + p.std]))
    .concat(dense.mean);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMin = Math.max(0, Math.floor(Math.min(...ys) * 20) / 20);
  const yMax = Math.min(1, Math.ceil(Math.max(...ys) * 20) / 20);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => margin.top + (1 - (y - yMin) / (yMax - yMin || 1)) * plotH;
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-family="sans-serif">${escape(title)}</text>`,
  );
  // grid and axes
  for (let i = 0; i <= 5; i++) {
    const y = yMin + ((yMax - yMin) * i) / 5;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${margin.left - 8}" y="${sy(y) + 4}" text-anchor="end" font-size="12" font-family="sans-serif">${(y * 100).toFixed(1)}%</text>`,
    );
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${sx(x)}" y="${margin.top + plotH + 18}" text-anchor="middle" font-size="12" font-family="sans-serif">${Math.round(x * 100)}%</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 16}" text-anchor="middle" font-size="13" font-family="sans-serif">sparsity (fraction of prunable weights zeroed)</text>`,
  );
  parts.push(
    `<text x="18" y="${margin.top + plotH / 2}" transform="rotate(-90 18 ${margin.top + plotH / 2})" text-anchor="middle" font-size="13" font-family="sans-serif">test accuracy after fine-tuning</text>`,
  );
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(dense.mean)}" y2="${sy(dense.mean)}" stroke="#000" stroke-dasharray="6 4"/>`,
  );
  series.forEach((s, k) => {
    const path = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.mean).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of s.points) {
      parts.push(
        `<line x1="${sx(p.x)}" x2="${sx(p.x)}" y1="${sy(p.mean - p.std)}" y2="${sy(p.mean + p.std)}" stroke="${s.color}"/>`,
      );
      parts.push(`<circle cx="${sx(p.x)}" cy="${sy(p.mean)}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = margin.top + 20 + k * 22;
    parts.push(
      `<line x1="${width - margin.right + 20}" x2="${width - margin.right + 44}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(
      `<text x="${width - margin.right + 50}" y="${ly + 4}" font-size="13" font-family="sans-serif">${escape(s.name)}</text>`,
    );
  });
  const ly = margin.top + 20 + series.length * 22;
  parts.push(
    `<line x1="${width - margin.right + 20}" x2="${width - margin.right + 44}" y1="${ly}" y2="${ly}" stroke="#000" stroke-dasharray="6 4"/>`,
  );
  parts.push(
    `<text x="${width - margin.right + 50}" y="${ly + 4}" font-size="13" font-family="sans-serif">dense</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
