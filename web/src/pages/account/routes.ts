// Signing in and the person's own account.
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '/signin',
    name: 'signin',
    component: () => import('./SignIn.vue'),
    meta: { title: 'signin.title', public: true, layout: 'bare' },
  },
  {
    path: '/account',
    name: 'account',
    component: () => import('./AccountPage.vue'),
    meta: { title: 'nav.account' },
  },
];
export default routes;
