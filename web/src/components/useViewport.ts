// Is the screen a phone's (narrower than 768 px)? The layout and some pages change with it.
import { onBeforeUnmount, ref } from 'vue';

export const PHONE_QUERY = '(max-width: 767px)';

export function useIsPhone() {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(PHONE_QUERY) : null;
  const isPhone = ref(mq ? mq.matches : false);
  const on = (e: MediaQueryListEvent) => (isPhone.value = e.matches);
  mq?.addEventListener('change', on);
  onBeforeUnmount(() => mq?.removeEventListener('change', on));
  return isPhone;
}
