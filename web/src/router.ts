// The pages' routes, in history mode (the server answers index.html for any page's path:
// adapters/http/static_files.h). Each folder under pages/ brings its routes in routes.ts
// (export default RouteRecordRaw[]); they are gathered here, so a new page needs no edit of this
// file. What a route's meta says:
//   title   the i18n key of the page's title (the tab's title)
//   public  true: no account needed (signing in, the public's report); else the person must be
//           signed in, and is sent to /signin?next=... when not
//   layout  'bare': no navigation frame (pages without an account)
//   nav     { label, order, show? }: listed in the header's pages, when show(me) is true
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Me } from '@/api/types';
import { loadSession, session } from '@/session';


export interface NavMeta {
  label: string; // i18n key
  order: number;
  show?: (me: Me) => boolean;
}

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    public?: boolean;
    layout?: 'bare';
    nav?: NavMeta;
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./pages/*/routes.ts', { eager: true });
const pageRoutes: RouteRecordRaw[] = Object.values(modules).flatMap((m) => m.default);

// Where "/" leads: the first page of the header that the person may open.
function home(me: Me | null): string {
  return navItems(me)[0]?.path ?? '/account';
}

export const routes: RouteRecordRaw[] = [
  // Never shown: the guard below sends "/" on to the person's first page.
  { path: '/', name: 'home', component: () => import('@/pages/NotFound.vue'), meta: { public: true } },
  ...pageRoutes,
  {
    path: '/:rest(.*)*',
    name: 'notfound',
    component: () => import('@/pages/NotFound.vue'),
    meta: { title: 'state.notFound', public: true },
  },
];

export function navItems(me: Me | null): { path: string; label: string }[] {
  if (!me) return [];
  return pageRoutes
    .filter((r) => r.meta?.nav && (!r.meta.nav.show || r.meta.nav.show(me)))
    .sort((a, b) => a.meta!.nav!.order - b.meta!.nav!.order)
    .map((r) => ({ path: r.path, label: r.meta!.nav!.label }));
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  let me = session.me;
  try {
    me = await loadSession();
  } catch {
    // the server is not reachable: public pages still open; the others show their error
  }
  if (to.name === 'home') return me ? home(me) : '/signin';
  if (to.meta.public) return true;
  if (!me) return { path: '/signin', query: { next: to.fullPath } };
  return true;
});
