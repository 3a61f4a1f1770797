// Mounts a component the way the app does: a testing Pinia (real actions), the fake API client
// provided under apiKey, and charts replaced by a stub that keeps the option it was given.
import { defineComponent, h, type Component } from 'vue';
import { mount, flushPromises, type VueWrapper } from '@vue/test-utils';
import { createTestingPinia } from '@pinia/testing';
import { vi } from 'vitest';
import { apiKey } from '../../src/renderer/api/inject';
import { createFakeApi, type FakeApi, type FakeState } from './fakeApi';

export const ChartStub = defineComponent({
  name: 'EChart',
  props: {
    option: { type: Object, required: true },
    label: { type: String, required: true },
    height: { type: String, default: undefined },
  },
  emits: ['rendered', 'select'],
  setup(props) {
    return () => h('div', { 'data-test': 'chart', 'aria-label': props.label });
  },
});

// jsdom has no 2D canvas; drawing code checks for a null context (SparsityMap.test.ts fakes one to look).
if (!vi.isMockFunction(HTMLCanvasElement.prototype.getContext)) {
  HTMLCanvasElement.prototype.getContext = vi.fn(
    () => null,
  ) as unknown as typeof HTMLCanvasElement.prototype.getContext;
}

export async function mountWithApi<C extends Component>(
  component: C,
  options: {
    props?: Record<string, unknown>;
    state?: Partial<FakeState>;
    fake?: FakeApi;
    transport?: 'ipc' | 'websocket';
  } = {},
): Promise<{ wrapper: VueWrapper; fake: FakeApi }> {
  const fake = options.fake ?? createFakeApi(options.state ?? {}, options.transport);
  const wrapper = mount(component as Component, {
    props: options.props ?? {},
    attachTo: document.body,
    global: {
      plugins: [createTestingPinia({ stubActions: false, createSpy: vi.fn })],
      provide: { [apiKey as symbol]: fake.client },
      stubs: { EChart: ChartStub },
    },
  });
  await flushPromises();
  return { wrapper, fake };
}
