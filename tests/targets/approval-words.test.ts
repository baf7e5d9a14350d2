import { describe, expect, it } from 'vitest';
import { decidedPreview, decisionWords } from '../../src/targets/discord/approval.js';
import { deskDecision } from '../../src/dashboard/desk-view.js';
import { article } from '../builders.js';

describe('what was decided on the approval desk, in words', () => {
  const mention = (id: string) => `<@${id}>`;

  it('names the member, the dashboard, or an expiry with what it did', () => {
    expect(decisionWords({ status: 'approved', decidedBy: '42' }, mention)).toBe('approved by <@42>');
    expect(decisionWords({ status: 'skipped', decidedBy: 'dashboard' }, mention)).toBe('skipped by the dashboard');
    expect(decisionWords({ status: 'approved', decidedBy: 'expiry' }, mention)).toBe('expired (posted)');
    expect(decisionWords({ status: 'skipped', decidedBy: 'expiry' }, mention)).toBe('expired (skipped)');
    expect(deskDecision({ status: 'approved', decidedBy: '42' })).toBe('approved by Discord member 42');
  });

  it('says an expired article expired in the Discord preview, not that nobody approved it', () => {
    const expired = decidedPreview(article(), { status: 'approved', decidedBy: 'expiry', decidedAt: 1_700_000_000_000 }, ['<#1>']);
    expect(expired.content).toBe('⌛ Expired (posted) <t:1700000000:R>');
    expect(decidedPreview(article(), { status: 'approved', decidedBy: '42', decidedAt: null }, ['<#1>']).content).toBe('✅ Approved by <@42>');
  });
});
