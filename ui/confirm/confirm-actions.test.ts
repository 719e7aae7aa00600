import { describe, expect, it, vi } from 'vitest';
import type { PartnerRequest } from '../../protocol/runtime-messages.ts';
import { defaultDonorSettings } from '../../settings/donor-settings.ts';
import { makeConfirmActions } from './confirm-actions.ts';

const request: PartnerRequest = { requestId: 'r1', origin: 'https://partner.example', sponsorCode: 'press-1', at: 1 };
const defaults = defaultDonorSettings('wss://signal.example/ws');

function actions(options: { sendFails?: boolean; sharing?: boolean; sponsorCode?: string }) {
  const send = vi.fn(async () => {
    if (options.sendFails) throw new Error('Receiving end does not exist');
  });
  const loadSettings = async () => ({ ...defaults, sharing: options.sharing ?? false, sponsorCode: options.sponsorCode ?? '' });
  return { send, actions: makeConfirmActions({ send, loadSettings, closeWindow: () => {} }) };
}

describe('confirm actions', () => {
  it('sends the answer for the pending request id', async () => {
    const { send, actions: a } = actions({ sharing: true, sponsorCode: 'press-1' });
    expect(await a.answer(request, true)).toBe('allowed');
    expect(send).toHaveBeenCalledWith({ type: 'partner-answer', requestId: 'r1', accept: true });
  });

  it.each([
    [{ sharing: false }, true, 'expired'],
    [{ sharing: true, sponsorCode: 'other' }, true, 'expired'],
    [{ sharing: false }, false, 'denied'],
    [{ sendFails: true }, true, 'failed'],
    [{ sendFails: true }, false, 'failed'],
  ] as const)('with %o, answering %s ends %s', async (options, accept, outcome) => {
    expect(await actions(options).actions.answer(request, accept)).toBe(outcome);
  });
});
