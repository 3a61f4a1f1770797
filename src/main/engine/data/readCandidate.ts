// Reads one candidate file whole, or says why it cannot. Opened non-blocking and checked with fstat, so a
// FIFO that slipped past the walk (or replaced a file since) can never hang the import.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ImageProblem } from './imageProblem';

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export function readCandidate(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const detail =
      code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'file vanished or broken link' : code;
    throw new ImageProblem(code === 'ELOOP' ? 'symlink-loop' : 'unreadable', detail);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ImageProblem('unreadable', 'not a regular file');
    if (st.size === 0) throw new ImageProblem('empty-file', 'the file is empty (0 bytes)');
    if (st.size > maxBytes)
      throw new ImageProblem(
        'too-large',
        `the file is ${(st.size / 2 ** 20).toFixed(0)} MiB, over the ${maxBytes / 2 ** 20} MiB limit`,
      );
    const buf = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      const n = readSync(fd, buf, at, st.size - at, at);
      if (n === 0) break;
      at += n;
    }
    if (at === 0) throw new ImageProblem('empty-file', 'the file is empty (0 bytes)');
    return new Uint8Array(buf.buffer, buf.byteOffset, at);
  } catch (err) {
    if (err instanceof ImageProblem) throw err;
    throw new ImageProblem('unreadable', (err as NodeJS.ErrnoException).code ?? String(err));
  } finally {
    closeSync(fd);
  }
}
