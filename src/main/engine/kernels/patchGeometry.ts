import type * as tf from '@tensorflow/tfjs';

/** What $im2col and $col2im need to know about a convolution, in their argument order. */
export type PatchGeometry = [
  inHeight: number,
  inWidth: number,
  inChannels: number,
  filterHeight: number,
  filterWidth: number,
  outHeight: number,
  outWidth: number,
  strideHeight: number,
  strideWidth: number,
  padTop: number,
  padLeft: number,
];

export function patchGeometry(info: tf.backend_util.Conv2DInfo): PatchGeometry {
  return [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
