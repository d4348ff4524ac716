// Who is signed in, for every page: loaded once from GET /api/v1/session, set on sign-in, cleared
// on sign-out or when the server answers 401.
import { reactive } from 'vue';
import { api, ApiError, setCsrfToken } from './api/client';
import type { Me } from './api/types';

export const session = reactive<{ me: Me | null; loaded: boolean }>({ me: null, loaded: false });

export function setMe(me: Me | null): void {
  session.me = me;
  session.loaded = true;
  setCsrfToken(me?.csrf_token);
}

// Loads the session once; later calls reuse it. `force` asks the server again.
export async function loadSession(force = false): Promise<Me | null> {
  if (session.loaded && !force) return session.me;
  try {
    setMe(await api.get<Me>('/api/v1/session'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) setMe(null);
    else throw e;
  }
  return session.me;
}

export async function signIn(person: string, password: string): Promise<Me> {
  const me = await api.post<Me>('/api/v1/session', { person, password });
  setMe(me);
  return me;
}

export async function signOut(): Promise<void> {
  try {
    await api.del('/api/v1/session');
  } finally {
    setMe(null);
  }
}

// Does the signed-in person hold one of these roles (or is an administrator when `admin`)?
export function hasRole(...roles: string[]): boolean {
  const me = session.me;
  if (!me) return false;
  return roles.some((r) => me.roles?.includes(r));
}
