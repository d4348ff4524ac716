// Rectify's web front end: mounts the app (App.vue) with its router and languages. Element Plus
// components are imported where used (vite.config.ts); only the base styles and the services
// used from code (messages, message boxes) are imported here.
import { createApp } from 'vue';
import 'element-plus/theme-chalk/base.css';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import './styles.css';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';

const app = createApp(App);
app.use(i18n);
app.use(router);
router.isReady().then(() => app.mount('#app'));
