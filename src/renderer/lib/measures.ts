// Names of the User Timing measures the app records (read by bench/ui.ts in Chromium). Plain constants,
// so the Node-side benchmark can import them without the DOM code that records them.
export const COMPARE_RENDER_MEASURE = 'prunelab:compare-render';
export const MASK_DRAW_MEASURE = 'prunelab:sparsity-map-draw';
