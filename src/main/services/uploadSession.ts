// Where serve mode keeps the files of one upload session: a folder named after this process, so a start
// after a crash can tell (by the pid) that nobody will finish it, and sweep it.
import { join } from 'node:path';
import { uploadSessionName } from '../engine/files/scratchNames';
import { dataLayout } from '../engine/types';

export const uploadSessionDir = (dataDir: string): string =>
  join(dataLayout.uploadsDir(dataDir), uploadSessionName());
