// The headquarters' console (指挥部): campaigns and their phases across the year, checkpoints per
// unit with who has reported, the units' QR-code posters, and definitions read as diagrams.
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '/console',
    name: 'console',
    component: () => import('./ConsolePage.vue'),
    meta: { title: 'console.title', nav: { label: 'console.title', order: 30 } },
  },
];
export default routes;
