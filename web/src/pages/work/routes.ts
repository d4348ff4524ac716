// The cadre's workbench (我的待办), an item's page and a task's page.
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
  {
    path: '/tasks/:id',
    name: 'task',
    component: () => import('./TaskPage.vue'),
    meta: { title: 'task.title' },
  },
];
export default routes;
