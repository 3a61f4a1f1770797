import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../../shared/dto';
import { fusedAdamStep, fusedSgdStep } from '../kernels/fusedOptimizerStep';

/**
 * Adam and SGD with momentum, written out so that their whole state (step count and one or two slot
 * tensors per variable) can be saved and restored bit for bit — tfjs's own Adam recomputes its bias
 * corrections with tf.pow on restore, which drifts from the running product, so a resumed run would
 * not match an uninterrupted one.
 */
export interface TrainOptimizer {
  readonly name: OptimizerName;
  /**
   * Applies gradients (same order as the variables given at creation) and advances the step count;
   * `learningRate` overrides the base rate for this step (a schedule).
   */
  apply(grads: tf.Tensor[], learningRate?: number): void;
  getState(): OptimizerState;
  /** Replaces the state with copies of the given tensors. */
  setState(state: OptimizerState): void;
  dispose(): void;
}

export interface OptimizerState {
  name: OptimizerName;
  step: number;
  /** slots[k][i]: slot k (Adam: first then second moment; SGD: velocity) of variable i */
  slots: tf.Tensor[][];
}

export interface OptimizerOptions {
  name: OptimizerName;
  learningRate: number;
  /** sgd only */
  momentum: number;
  /**
   * one pass over each variable on the wasm backend (PruneLab's SIMD module) instead of six tensor ops —
   * the same bits; default true. Other backends always use the tensor ops.
   */
  fused?: boolean;
}

const adamBeta1 = 0.9;
const adamBeta2 = 0.999;
const adamEpsilon = 1e-7;

export function createOptimizer(variables: tf.Variable[], options: OptimizerOptions): TrainOptimizer {
  const slotCount = options.name === 'adam' ? 2 : 1;
  const useFused = options.fused ?? true;
  let step = 0;
  let slots: tf.Variable[][] = Array.from({ length: slotCount }, () =>
    variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
  );
  const disposeSlots = () => slots.forEach((list) => list.forEach((t) => t.dispose()));

  const apply = (grads: tf.Tensor[], learningRate = options.learningRate) => {
    if (grads.length !== variables.length) {
      throw new Error(`Optimizer got ${grads.length} gradients for ${variables.length} variables.`);
    }
    step += 1;
    tf.tidy(() => {
      if (options.name === 'adam') {
        // bias corrections in float64 from the step number alone: deterministic across resumes
        const lr = (learningRate * Math.sqrt(1 - adamBeta2 ** step)) / (1 - adamBeta1 ** step);
        variables.forEach((variable, i) => {
          const g = grads[i]!;
          const m = slots[0]![i]!;
          const v = slots[1]![i]!;
          const fused = useFused
            ? fusedAdamStep(variable, g, m, v, {
                beta1: adamBeta1,
                beta2: adamBeta2,
                learningRate: lr,
                epsilon: adamEpsilon,
              })
            : null;
          if (fused) {
            m.assign(fused.m);
            v.assign(fused.v);
            variable.assign(fused.w);
            return;
          }
          const mNew = m.mul(adamBeta1).add(g.mul(1 - adamBeta1));
          const vNew = v.mul(adamBeta2).add(g.square().mul(1 - adamBeta2));
          m.assign(mNew);
          v.assign(vNew);
          variable.assign(variable.sub(mNew.mul(lr).div(vNew.sqrt().add(adamEpsilon))));
        });
      } else {
        variables.forEach((variable, i) => {
          const velocity = slots[0]![i]!;
          const fused = useFused
            ? fusedSgdStep(variable, grads[i]!, velocity, { momentum: options.momentum, learningRate })
            : null;
          if (fused) {
            velocity.assign(fused.u);
            variable.assign(fused.w);
            return;
          }
          const vNew = velocity.mul(options.momentum).add(grads[i]!);
          velocity.assign(vNew);
          variable.assign(variable.sub(vNew.mul(learningRate)));
        });
      }
    });
  };

  return {
    name: options.name,
    apply,
    getState: () => ({ name: options.name, step, slots }),
    setState(state) {
      if (state.name !== options.name)
        throw new Error(`Cannot restore ${state.name} state into ${options.name}.`);
      if (state.slots.length !== slotCount || state.slots.some((list) => list.length !== variables.length)) {
        throw new Error('Saved optimizer state does not fit this model (a different number of variables).');
      }
      state.slots.forEach((list) =>
        list.forEach((t, i) => {
          if (t.shape.join(',') !== variables[i]!.shape.join(',')) {
            throw new Error(
              `Saved optimizer state for variable ${i} has shape [${t.shape}], expected [${variables[i]!.shape}].`,
            );
          }
        }),
      );
      disposeSlots();
      // tidy drops the clones; the variables keep their data
      slots = state.slots.map((list) => list.map((t) => tf.tidy(() => tf.variable(t.clone(), false))));
      step = state.step;
    },
    dispose: disposeSlots,
  };
}
