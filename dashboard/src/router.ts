import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSessionStore } from './stores/session.ts';
import LoginView from './views/login/LoginView.vue';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/screen' },
  { path: '/login', component: LoginView, meta: { public: true } },
  // The wall (MapLibre, ECharts) and the console are separate chunks.
  { path: '/screen', component: () => import('./views/screen/ScreenView.vue') },
  {
    path: '/console',
    component: () => import('./views/console/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'queue', component: () => import('./views/console/AlertQueueView.vue') },
      {
        path: 'alerts/:id',
        name: 'alert',
        component: () => import('./views/console/AlertDetailView.vue'),
        props: true,
      },
      { path: 'devices', name: 'devices', component: () => import('./views/console/DeviceListView.vue') },
      {
        path: 'devices/:id',
        name: 'device',
        component: () => import('./views/console/DeviceDetailView.vue'),
        props: true,
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/screen' },
];

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSessionStore();
    if (await session.restore()) return true;
    return { path: '/login', query: { redirect: to.fullPath } };
  });
  return router;
}
