// Loads a page's data and tells its state (PageState.vue): loading, ready, empty (the `isEmpty`
// test), error (with the message in the page's language), forbidden (403), notfound (404: the
// API answers an item outside one's units exactly as one that does not exist).
import { ref, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ApiError } from '@/api/client';
import { errorMessage } from '@/api/errors';
import type { PageStateName } from './pageState';

export function stateFor(e: unknown): PageStateName {
  if (e instanceof ApiError && e.status === 403) return 'forbidden';
  if (e instanceof ApiError && e.status === 404) return 'notfound';
  return 'error';
}

export function useLoad<T>(load: () => Promise<T>, isEmpty: (d: T) => boolean = () => false) {
  const { t, locale } = useI18n();
  const state = ref<PageStateName>('loading');
  const data = ref<T | null>(null) as Ref<T | null>;
  const error = ref('');
  async function reload(quiet = false): Promise<void> {
    if (!quiet) state.value = 'loading';
    try {
      const d = await load();
      data.value = d;
      error.value = '';
      state.value = isEmpty(d) ? 'empty' : 'ready';
    } catch (e) {
      error.value = errorMessage(e, t, locale.value);
      state.value = stateFor(e);
    }
  }
  return { state, data, error, reload };
}
