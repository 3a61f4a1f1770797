// Text going into HTML that a library renders with innerHTML (ECharts tooltips): run and dataset names
// come from users and folder names, so they are escaped to stay text.

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}
