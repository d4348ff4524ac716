// The workbench's badge (UrgencyBadge.vue): its colour class and its words, in both languages.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { i18n, setLanguage } from '@/i18n';
import UrgencyBadge from './UrgencyBadge.vue';

const badge = (item: Record<string, unknown>) => mount(UrgencyBadge, { props: { item } as any, global: { plugins: [i18n] } });

describe('UrgencyBadge', () => {
  it('says the working days left and colours by urgency', () => {
    setLanguage('zh-CN');
    const soon = badge({ due: '2017-05-15', overdue: false, working_days_left: 4, clock: 'running' });
    expect(soon.text()).toBe('剩 4 个工作日');
    expect(soon.classes()).toContain('urgency-soon');
    const urgent = badge({ due: '2017-05-15', overdue: false, working_days_left: 1 });
    expect(urgent.classes()).toContain('urgency-urgent');
  });
  it('says how many working days overdue, in red', () => {
    setLanguage('en');
    const late = badge({ due: '2017-05-15', overdue: true, working_days_overdue: 3 });
    expect(late.text()).toBe('3 working days overdue');
    expect(late.classes()).toContain('urgency-overdue');
    expect(late.attributes('data-urgency')).toBe('overdue');
  });
  it('is grey without a running deadline', () => {
    setLanguage('en');
    expect(badge({ due: null }).text()).toBe('no deadline');
    const paused = badge({ due: '2017-05-15', overdue: false, working_days_left: 2, clock: 'paused' });
    expect(paused.text()).toBe('clock paused');
    expect(paused.classes()).toContain('urgency-none');
  });
});
