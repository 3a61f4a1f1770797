// How `prunelab serve` opens the browser without putting the token on a command line, where every local
// user can read it (`ps`): like Jupyter, it writes a small HTML file that forwards to the tokened URL —
// readable by this user only (0600, inside a 0700 folder of its own) — and opens that file instead. The
// file is deleted once the page has been opened with the token, after a while unused, or when serving stops.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LaunchFile {
  /** What to hand the browser: a file:// URL with no secret in it. */
  url: string;
  path: string;
  /** Deletes the file and its folder (idempotent). */
  remove(): Promise<void>;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function launchPage(target: string): string {
  const href = escapeHtml(target);
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<title>Opening PruneLab…</title></head>',
    `<body><p>Opening PruneLab… If nothing happens, <a href="${href}">open it here</a>.</p></body></html>`,
    '',
  ].join('\n');
}

/** Writes the launch file for `target` (the tokened URL) under `parent` (default: the OS temp folder). */
export async function writeLaunchFile(target: string, parent: string = tmpdir()): Promise<LaunchFile> {
  // mkdtemp makes the folder 0700; the file is created new (wx) as 0600, so nobody else can read it.
  const folder = await mkdtemp(join(parent, 'prunelab-launch-'));
  const path = join(folder, 'open-prunelab.html');
  await writeFile(path, launchPage(target), { mode: 0o600, flag: 'wx' });
  let removing: Promise<void> | null = null;
  return {
    url: pathToFileURL(path).href,
    path,
    remove() {
      removing ??= rm(folder, { recursive: true, force: true });
      return removing;
    },
  };
}
