import { describe, expect, it } from 'vitest';
import { parseDonateRequest, parsePartnerReply, partnerMessageTag } from './partner-bridge.ts';

describe('partner bridge messages', () => {
  it.each([
    [{ tag: partnerMessageTag, kind: 'donate', sponsorCode: 'NGO-1' }, 'NGO-1'],
    [{ tag: partnerMessageTag, kind: 'donate', sponsorCode: '' }, undefined],
    [{ tag: partnerMessageTag, kind: 'donate', sponsorCode: 'bad code!' }, undefined],
    [{ tag: partnerMessageTag, kind: 'donate', sponsorCode: 'x'.repeat(65) }, undefined],
    [{ tag: partnerMessageTag, kind: 'donate', sponsorCode: 'A', sharing: true }, undefined],
    [{ tag: 'other', kind: 'donate', sponsorCode: 'A' }, undefined],
    ['donate', undefined],
    [null, undefined],
  ])('reads %j as %j', (message, expected) => {
    expect(parseDonateRequest(message)).toBe(expected);
  });

  it('turns an unexpected answer from the extension into a refusal the page can show', () => {
    expect(parsePartnerReply({ status: 'asked' })).toEqual({ status: 'asked' });
    expect(parsePartnerReply({ status: 'refused', message: 'no' })).toEqual({ status: 'refused', message: 'no' });
    expect(parsePartnerReply(undefined).status).toBe('refused');
    expect(parsePartnerReply({ status: 'granted' }).status).toBe('refused');
  });
});
