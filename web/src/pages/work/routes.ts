// The cadre's workbench (我的待办) and an item's page.
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '/work',
    name: 'work',
    component: () => import('./WorkbenchPage.vue'),
    meta: { title: 'nav.work', nav: { label: 'nav.work', order: 10 } },
  },
  {
    path: '/items/:id',
    name: 'item',
    component: () => import('./ItemPage.vue'),
    meta: { title: 'item.title' },
  },
];
export default routes;
