// tfjs prints a banner ("Hi, looks like you are running TensorFlow.js in Node.js … install our node
// backend") the first time its plain-JavaScript backend holds a tensor in Node — e.g. when presets are
// counted in the process that serves the app. PruneLab says which backend it uses and why, once, in its
// own words (BackendInfo.reason), so tfjs's own console log is off: its PROD flag silences only tfjs's
// log.warn / log.log (checked in tfjs-core 4.22: nothing else reads it), never an error or a result.
import * as tf from '@tensorflow/tfjs';

export function quietTfjs(): void {
  if (!tf.env().getBool('PROD')) tf.enableProdMode();
}
