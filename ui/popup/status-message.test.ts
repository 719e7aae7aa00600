import { describe, expect, it } from 'vitest';
import { initialDonorStatus, statusReasons, type DonorStatus } from '../../protocol/runtime-messages.ts';
import { describeStatus } from './status-message.ts';
import enStatus from '../../locales/en/status.json';

const base = initialDonorStatus(0);
const status = (patch: Partial<DonorStatus>): DonorStatus => ({ ...base, ...patch });

describe('describeStatus', () => {
  it('says sharing is off whenever the switch is off, whatever the engine last said', () => {
    expect(describeStatus(false, status({ state: 'connected' }))).toEqual({ sentence: 'status_off', tone: 'off', canRetry: false });
  });

  it.each([
    ['off', 'status_starting'],
    ['starting', 'status_starting'],
    ['connected', 'status_connected'],
    ['paused', 'status_paused'],
    ['offline', 'status_offline'],
  ] as const)('the %s state without a reason reads %s', (state, sentence) => {
    expect(describeStatus(true, status({ state })).sentence).toBe(sentence);
  });

  it('gives every reason its own sentence, defined in the English locale file', () => {
    const sentences = statusReasons.map((reason) => describeStatus(true, status({ state: 'offline', reason })).sentence);
    expect(new Set(sentences).size).toBe(statusReasons.length);
    for (const sentence of sentences) expect(enStatus).toHaveProperty(sentence);
  });

  it('offers a retry only when offline, with the detail and the engine’s own retry time', () => {
    const offline = describeStatus(true, status({ state: 'offline', reason: 'signaling-unreachable', detail: 'ECONNREFUSED', retryAt: 5 }));
    expect(offline).toEqual({ sentence: 'status_reason_signaling_unreachable', tone: 'problem', canRetry: true, detail: 'ECONNREFUSED', retryAt: 5 });
    expect(describeStatus(true, status({ state: 'paused', reason: 'on-battery', detail: 'x' }))).toEqual({
      sentence: 'status_reason_on_battery',
      tone: 'paused',
      canRetry: false,
    });
  });
});
