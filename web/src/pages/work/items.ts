// Reading items for the workbench: every page of a filtered list (the API pages with a cursor),
// up to a bound, and the messages addressed to me.
import { api } from '@/api/client';
import type { ItemPage, ItemSummary } from '@/api/types';

export const MAX_PAGES = 10;
export const PAGE_SIZE = 200;

export async function allItems(query: Record<string, string>): Promise<{ items: ItemSummary[]; more: boolean }> {
  const items: ItemSummary[] = [];
  let cursor: string | null | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await api.get<ItemPage>('/api/v1/items', { query: { ...query, limit: PAGE_SIZE, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) return { items, more: false };
  }
  return { items, more: true };
}

export interface Notification {
  id: number;
  item: string | null;
  to: 'person' | 'unit';
  channel: string;
  template: string;
  state: string;
  created_at: string;
  title?: string;
  message?: string;
  due?: string;
  level?: number;
  measure?: string;
}

export async function myNotifications(): Promise<Notification[]> {
  return (await api.get<{ notifications: Notification[] }>('/api/v1/me/notifications', { query: { limit: 30 } }))
    .notifications;
}

// States after which an item needs nobody's work (the shipped workflows' final states, a task
// milestone's `reached` among them).
export const DONE_STATES = new Set(['closed', 'filed', 'dismissed', 'archived', 'done', 'reached']);
