import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { maybeSimdKernelsOf } from './simd/simdModule';

/**
 * An optimizer step for one variable as one pass over its memory (PruneLab's SIMD $adamStep /
 * $sgdStep), instead of six tensor ops each with its own allocation and, in the threaded build, its
 * own hand-off to the thread pool. Same float32 operations in the same order as the tensor ops, so the
 * same bits. Returns the new tensors (tracked by the engine: call inside tf.tidy and assign them), or
 * null where the SIMD module is not attached (another backend) — the caller then uses tensor ops.
 */
export function fusedAdamStep(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  scalars: { beta1: number; beta2: number; learningRate: number; epsilon: number },
): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } | null {
  const simd = maybeSimdKernelsOf(tf.backend());
  if (!simd || ![w, g, m, v].every((t) => t.dtype === 'float32')) return null;
  const wasm = tf.backend() as unknown as BackendWasm;
  const [wOut, mOut, vOut] = [0, 1, 2].map(() => wasm.makeOutput(w.shape, 'float32'));
  const f = Math.fround;
  simd.exports.adamStep(
    simd.offsetOf(w),
    simd.offsetOf(g),
    simd.offsetOf(m),
    simd.offsetOf(v),
    simd.offsetOf(wOut!),
    simd.offsetOf(mOut!),
    simd.offsetOf(vOut!),
    w.size,
    f(scalars.beta1),
    f(1 - scalars.beta1),
    f(scalars.beta2),
    f(1 - scalars.beta2),
    f(scalars.learningRate),
    f(scalars.epsilon),
  );
  const engine = tf.engine();
  return {
    w: engine.makeTensorFromTensorInfo(wOut!),
    m: engine.makeTensorFromTensorInfo(mOut!),
    v: engine.makeTensorFromTensorInfo(vOut!),
  };
}

/** SGD with momentum as one pass; see fusedAdamStep. */
export function fusedSgdStep(
  w: tf.Tensor,
  g: tf.Tensor,
  u: tf.Tensor,
  scalars: { momentum: number; learningRate: number },
): { w: tf.Tensor; u: tf.Tensor } | null {
  const simd = maybeSimdKernelsOf(tf.backend());
  if (!simd || ![w, g, u].every((t) => t.dtype === 'float32')) return null;
  const wasm = tf.backend() as unknown as BackendWasm;
  const [wOut, uOut] = [0, 1].map(() => wasm.makeOutput(w.shape, 'float32'));
  simd.exports.sgdStep(
    simd.offsetOf(w),
    simd.offsetOf(g),
    simd.offsetOf(u),
    simd.offsetOf(wOut!),
    simd.offsetOf(uOut!),
    w.size,
    Math.fround(scalars.momentum),
    Math.fround(scalars.learningRate),
  );
  const engine = tf.engine();
  return { w: engine.makeTensorFromTensorInfo(wOut!), u: engine.makeTensorFromTensorInfo(uOut!) };
}
