// The headquarters' console (指挥部): campaigns and their phases across the year, checkpoints per
// unit with who has reported, the units' QR-code posters, and definitions read as diagrams (the
// overview); a campaign's bulletins (listed, read, issued) and its assessment (the ranking, marks,
// bonus points, vetoes, publication); rehearsing a campaign, the ledger import with its row-by-row check, definitions
// edited, validated and registered, and dead letters with a retry button (a page each).
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '/console',
    name: 'console',
    component: () => import('./ConsolePage.vue'),
    meta: { title: 'console.title', nav: { label: 'console.title', order: 30 } },
  },
  { path: '/console/findings', name: 'console-findings', component: () => import('./FindingsPage.vue'), meta: { title: 'console.findings.title' } },
  { path: '/console/bulletins', name: 'console-bulletins', component: () => import('./BulletinsPage.vue'), meta: { title: 'console.bulletins.title' } },
  { path: '/console/assessment', name: 'console-assessment', component: () => import('./AssessmentPage.vue'), meta: { title: 'console.assess.title' } },
  { path: '/console/rehearse', name: 'console-rehearse', component: () => import('./RehearsalPage.vue'), meta: { title: 'console.rehearse.title' } },
  { path: '/console/ledger', name: 'console-ledger', component: () => import('./LedgerPage.vue'), meta: { title: 'console.ledger.title' } },
  { path: '/console/definitions', name: 'console-definitions', component: () => import('./DefinitionsPage.vue'), meta: { title: 'console.defs.title' } },
  { path: '/console/dead-letters', name: 'console-dead-letters', component: () => import('./DeadLettersPage.vue'), meta: { title: 'console.dead.title' } },
];
export default routes;
