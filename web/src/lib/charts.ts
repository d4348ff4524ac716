// Apache ECharts, loaded on demand: a page that draws charts calls loadECharts() and gets the
// library in a chunk of its own, so the first route never carries it. Only the charts and
// components the pages use are registered (bars, lines, heat maps; the canvas renderer).
//
//   const echarts = await loadECharts();
//   const chart = echarts.init(el);
//   chart.setOption({ ... });
export type ECharts = typeof import('./echarts-setup');

export function loadECharts(): Promise<ECharts> {
  return import('./echarts-setup');
}
