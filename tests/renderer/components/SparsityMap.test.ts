// The sparsity map writes one pixel per weight (kept in the kept colour, pruned in the pruned colour), or
// for a convolution one per kernel shaded by its kept share; cells stay readable and the scale is said.
import { afterEach, describe, expect, it, vi } from 'vitest';
import SparsityMap from '../../../src/renderer/components/runs/SparsityMap.vue';
import { packMask } from '../../../src/renderer/lib/maskBitmap';
import { mountWithApi } from '../mountWithApi';

class FakeImageData {
  constructor(
    public data: Uint8ClampedArray,
    public width: number,
    public height: number,
  ) {}
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('SparsityMap', () => {
  it('draws the mask pixel for pixel and redraws when the mask changes', async () => {
    vi.stubGlobal('ImageData', FakeImageData);
    const drawn: FakeImageData[] = [];
    const ctx = { putImageData: (img: FakeImageData) => drawn.push(img) };
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(
      ctx as unknown as CanvasRenderingContext2D,
    );
    document.documentElement.style.setProperty('--kept', '#102030');
    document.documentElement.style.setProperty('--pruned', '#ffffff');
    const mask = packMask(2, 4, (i) => i === 1 || i === 6);
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'map' } });
    expect(drawn).toHaveLength(1);
    const img = drawn[0]!;
    expect([img.width, img.height]).toEqual([4, 2]);
    const px = (i: number) => [...img.data.slice(i * 4, i * 4 + 4)];
    expect(px(0)).toEqual([255, 255, 255, 255]);
    expect(px(1)).toEqual([16, 32, 48, 255]);
    expect(px(6)).toEqual([16, 32, 48, 255]);
    const canvas = wrapper.get('canvas').element as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([4, 2]);
    await wrapper.setProps({ mask: packMask(3, 3, () => true) });
    expect(drawn).toHaveLength(2);
    expect([canvas.width, canvas.height]).toEqual([3, 3]);
  });

  it('zoom scales the displayed size, not the pixels', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const mask = packMask(10, 100, () => true);
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'map', zoom: 1 } });
    const width = () => parseFloat((wrapper.get('canvas').element as HTMLCanvasElement).style.width);
    const w1 = width();
    await wrapper.setProps({ zoom: 4 });
    expect(width()).toBeCloseTo(w1 * 4);
  });

  it('folds a convolution to a cell per kernel, shaded by how many of its weights are kept', async () => {
    vi.stubGlobal('ImageData', FakeImageData);
    const drawn: FakeImageData[] = [];
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({
      putImageData: (img: FakeImageData) => drawn.push(img),
    } as unknown as CanvasRenderingContext2D);
    document.documentElement.style.setProperty('--kept', '#000000');
    document.documentElement.style.setProperty('--pruned', '#ffffff');
    // 2 units × (3 inputs · 3×3): unit 0 keeps all of input 0 and 3 weights of input 2
    const kept = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 18, 19, 20]);
    const mask = { ...packMask(2, 27, (i) => kept.has(i)), kernel: [3, 3] as [number, number] };
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'conv2' } });
    const img = drawn[0]!;
    expect([img.width, img.height]).toEqual([3, 2]);
    const gray = (i: number) => img.data[i * 4]!;
    expect([gray(0), gray(1), gray(2), gray(3)]).toEqual([0, 255, 170, 255]);
    expect(wrapper.get('[data-test="sparsity-canvas"]').attributes('data-mode')).toBe('kernel');
    expect(wrapper.get('[data-test="map-scale"]').text()).toMatch(
      /^1 cell = 1 kernel of 3×3 weights · 20 px$/,
    );
    // every weight, on request
    await wrapper.setProps({ mode: 'weight' });
    expect(drawn.at(-1)!.width).toBe(27);
  });

  it('a layer too wide for its box keeps readable cells and scrolls, and says so', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    // the 64 × 576 dense-like map in a 400 px box: cells do not shrink below the minimum
    const mask = packMask(64, 576, (i) => i % 3 === 0);
    const { wrapper } = await mountWithApi(SparsityMap, { props: { mask, label: 'map', fitWidth: 400 } });
    const canvas = wrapper.get('canvas').element as HTMLCanvasElement;
    expect(parseFloat(canvas.style.width)).toBe(576 * 3);
    expect(parseFloat(canvas.style.height)).toBe(64 * 3);
    expect(wrapper.get('[data-test="map-scale"]').text()).toBe(
      '1 cell = 1 weight · 3 px · scroll for the rest',
    );
  });
});
