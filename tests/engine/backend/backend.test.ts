import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';

describe('initBackend', () => {
  it('picks the best backend that starts and says why', async () => {
    const info = await initBackend();
    expect(tf.getBackend()).toBe(info.name);
    if (info.name !== 'tensorflow') {
      // tfjs-node is absent or broken here: the reason names it, and wasm training kernels are in place
      expect(info.reason).toMatch(/^tfjs-node (not installed|failed)/);
      expect(info.name).toBe('wasm');
      expect(info.reason).toMatch(/using wasm, \d+ threads?/);
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    }
    expect(info.threads).toBeGreaterThanOrEqual(0);
  });

  it('honours an explicit choice and can switch back and forth', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', threads: 1 });
    expect(cpu.reason).toMatch(/cpu requested/);
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(wasm.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
  });
});
