// Worker-thread entry: answers { id, paths, target } with fastDecodeBatch's result, pixels transferred.
import { parentPort } from 'node:worker_threads';
import type { DecodeTarget } from './channelPolicy';
import { fastDecodeBatch } from './fastDecodeBatch';

parentPort?.on('message', (message: { id: number; paths: string[]; target: DecodeTarget }) => {
  const batch = fastDecodeBatch(message.paths, message.target);
  parentPort?.postMessage({ id: message.id, batch }, [batch.pixels.buffer as ArrayBuffer]);
});
