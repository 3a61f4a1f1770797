// Every layer gets its own initializer seed derived from the run seed, so one seed fixes the whole
// model while no two layers start from the same random stream.
export function layerSeed(seed: number, layerIndex: number): number {
  // A large odd multiplier spreads neighbouring run seeds apart; >>> 0 keeps it a uint32.
  return (Math.imul(seed >>> 0, 2654435761) + (layerIndex + 1) * 40503) >>> 0;
}
