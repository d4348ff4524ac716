// The shared page states (PageState.vue): what each shows, and the retry.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { i18n, setLanguage } from '@/i18n';
import PageState from './PageState.vue';

function render(props: Record<string, unknown>) {
  return mount(PageState, {
    props: props as any,
    slots: { default: '<p class="content">the page</p>' },
    global: { plugins: [i18n] },
  });
}

describe('PageState', () => {
  it('shows the page only when ready', () => {
    expect(render({ state: 'ready' }).find('.content').exists()).toBe(true);
    for (const state of ['loading', 'empty', 'error', 'forbidden', 'notfound']) {
      expect(render({ state }).find('.content').exists()).toBe(false);
    }
  });
  it('shows the error with a retry that asks the page again', async () => {
    setLanguage('en');
    const w = render({ state: 'error', error: 'The connection dropped.' });
    expect(w.find('.page-error').text()).toContain('The connection dropped.');
    await w.find('button').trigger('click');
    expect(w.emitted('retry')).toHaveLength(1);
  });
  it('says no permission and not found in the page language', () => {
    setLanguage('zh-CN');
    expect(render({ state: 'forbidden' }).text()).toContain('没有权限');
    setLanguage('en');
    expect(render({ state: 'notfound' }).text()).toContain('outside your units');
    expect(render({ state: 'empty', emptyText: 'No tokens yet' }).text()).toContain('No tokens yet');
  });
});
