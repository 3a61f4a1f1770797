// Names of the User Timing measures the app records (read by bench/ui.ts in Chromium).
export const COMPARE_RENDER_MEASURE = 'prunelab:compare-render';
export { MASK_DRAW_MEASURE } from './drawMask';
