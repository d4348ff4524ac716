// The public's pages, no account: reporting a problem (reached from a unit's QR code,
// /report?unit=ID) and following one's report by its ticket code and secret.
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '/report',
    name: 'report',
    component: () => import('./ReportPage.vue'),
    meta: { title: 'report.title', public: true, layout: 'bare' },
  },
  {
    path: '/ticket',
    name: 'ticket',
    component: () => import('./TicketPage.vue'),
    meta: { title: 'ticket.title', public: true, layout: 'bare' },
  },
];
export default routes;
