// A dataset path reaching main from outside the page — a dropped folder, a second launch, the command
// line, a recent-files entry — is checked here before anything is imported.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { absolutePath } from '../../shared/schemas';

export type FolderCheck = { ok: true; path: string } | { ok: false; reason: string };

export async function validateDatasetFolder(path: unknown): Promise<FolderCheck> {
  const parsed = absolutePath.safeParse(path);
  if (!parsed.success)
    return { ok: false, reason: parsed.error.issues[0]?.message ?? 'not an absolute path' };
  const info = await stat(parsed.data).catch(() => null);
  if (!info) return { ok: false, reason: `${parsed.data} does not exist` };
  if (!info.isDirectory()) {
    return {
      ok: false,
      reason: `${parsed.data} is a file; drop the folder that holds one sub-folder per class`,
    };
  }
  try {
    await access(parsed.data, constants.R_OK | constants.X_OK);
  } catch {
    return { ok: false, reason: `${parsed.data} cannot be read` };
  }
  return { ok: true, path: parsed.data };
}

/**
 * The dataset path given on a command line, if any: the last argument after the executable (and, when
 * not packaged, the app path) that is not a switch. Chromium adds switches of its own to argv.
 */
export function datasetPathFromArgv(
  argv: readonly string[],
  isPackaged: boolean,
  cwd: string,
): string | null {
  const args = argv.slice(isPackaged ? 1 : 2).filter((a) => !a.startsWith('-'));
  const last = args.at(-1);
  return last === undefined ? null : resolve(cwd, last);
}
