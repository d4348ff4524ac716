// The leaders' board (领导看板): open and overdue items by unit, escalation levels, the campaign's
// line, the ranking and the latest escalations, from GET /api/v1/board. The query keeps the
// filters (?campaign=&unit=), so a drill-down is a link and the browser's back goes up again.
import type { RouteRecordRaw } from 'vue-router';
import { loadECharts } from '@/lib/charts';
import { queryOf, startBoard } from './early';

const routes: RouteRecordRaw[] = [
  {
    path: '/board',
    name: 'board',
    component: () => import('./BoardPage.vue'),
    meta: { title: 'board.title', nav: { label: 'board.title', order: 20 } },
    // The figures and the charts' code are asked for before the page's chunk loads (early.ts).
    beforeEnter: (to) => {
      startBoard(queryOf(to.query));
      loadECharts().catch(() => undefined);
    },
  },
];
export default routes;
