// Window size and position survive restarts. A saved position is only reused if it is still mostly on
// one of the current displays (a monitor may have been unplugged since).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Rectangle } from './electronTypes';
import { MIN_SIZE } from './secureWindow';

const rectangle = z.strictObject({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(MIN_SIZE.width).max(20_000),
  height: z.number().int().min(MIN_SIZE.height).max(20_000),
});
const windowStateSchema = z.strictObject({ bounds: rectangle, maximized: z.boolean() });

export type WindowState = z.infer<typeof windowStateSchema>;

export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.tmp`;
  await writeFile(partial, JSON.stringify(state));
  await rename(partial, file);
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The saved bounds if at least half the window lands on one display, otherwise null (use defaults). */
export function fitToDisplays(bounds: Rectangle, workAreas: Rectangle[]): Rectangle | null {
  const area = bounds.width * bounds.height;
  return workAreas.some((work) => overlapArea(bounds, work) >= area / 2) ? bounds : null;
}
