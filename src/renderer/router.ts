// A tiny hash router: #/datasets, #/datasets/<id>, #/new, #/runs, #/runs/<id>, #/compare?ids=a,b.
// Hash routes work the same from file:// (Electron) and http:// (serve mode) and keep ?token= intact.
import { readonly, ref } from 'vue';

export type Route =
  | { name: 'datasets'; id: string | null }
  | { name: 'new'; datasetId: string | null; parentRunId: string | null }
  | { name: 'runs' }
  | { name: 'run'; id: string }
  | { name: 'compare'; ids: string[] };

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'new':
      return { name: 'new', datasetId: params.get('dataset'), parentRunId: params.get('parent') };
    case 'runs':
      return parts[1] ? { name: 'run', id: parts[1] } : { name: 'runs' };
    case 'compare':
      return { name: 'compare', ids: (params.get('ids') ?? '').split(',').filter(Boolean) };
    case 'datasets':
    default:
      return { name: 'datasets', id: parts[1] ?? null };
  }
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'datasets':
      return route.id ? `#/datasets/${encodeURIComponent(route.id)}` : '#/datasets';
    case 'new': {
      const q = new URLSearchParams();
      if (route.datasetId) q.set('dataset', route.datasetId);
      if (route.parentRunId) q.set('parent', route.parentRunId);
      const s = q.toString();
      return s ? `#/new?${s}` : '#/new';
    }
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'compare':
      return `#/compare?ids=${route.ids.map(encodeURIComponent).join(',')}`;
  }
}

const current = ref<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));
let listening = false;

export function useRoute() {
  if (!listening && typeof window !== 'undefined') {
    listening = true;
    window.addEventListener('hashchange', () => (current.value = parseHash(location.hash)));
  }
  return readonly(current);
}

export function navigate(route: Route) {
  const href = routeHref(route);
  if (location.hash !== href) location.hash = href;
  current.value = parseHash(href);
}
