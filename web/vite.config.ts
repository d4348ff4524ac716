// The Vite build of Rectify's web pages (docs/web.md). Element Plus components are imported one
// by one where used (unplugin-vue-components), so the first route's JavaScript stays small;
// ECharts and the heavier pages are split into chunks loaded on demand. The output goes to the
// build folder (RECTIFY_WEB_OUT, else ../build/web), which `rectify serve` serves at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

const outDir = process.env.RECTIFY_WEB_OUT || fileURLToPath(new URL('../build/web', import.meta.url));

export default defineConfig({
  plugins: [
    vue(),
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: false,
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir,
    emptyOutDir: true,
    // No inlined assets: a data: URL is fine for images under the CSP, but keeping every file a
    // file makes the caching rules simple (assets/ is immutable).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` against a `rectify serve --listen 127.0.0.1:8080`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
  },
});
