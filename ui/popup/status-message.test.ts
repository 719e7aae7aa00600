import { describe, expect, it } from 'vitest';
import { initialDonorStatus, statusReasons, type DonorStatus } from '../../protocol/runtime-messages.ts';
import { describeStatus, serverName, type NetworkView } from './status-message.ts';
import enStatus from '../../locales/en/status.json';

const base = initialDonorStatus(0);
const status = (patch: Partial<DonorStatus>): DonorStatus => ({ ...base, ...patch });
const online: NetworkView = { online: true, signalingUrl: 'wss://signal.example.org/ws' };
const offline: NetworkView = { ...online, online: false };

describe('describeStatus', () => {
  it('says sharing is off whenever the switch is off, whatever the engine last said', () => {
    expect(describeStatus(false, status({ state: 'connected' }), online)).toEqual({ sentence: 'status_off', tone: 'off', canRetry: false });
  });

  it.each([
    ['off', 'status_starting'],
    ['starting', 'status_starting'],
    ['connected', 'status_connected'],
    ['paused', 'status_paused'],
    ['offline', 'status_offline'],
  ] as const)('the %s state without a reason reads %s', (state, sentence) => {
    expect(describeStatus(true, status({ state }), online).sentence).toBe(sentence);
  });

  it('gives every reason its own sentence, defined in the English locale file', () => {
    const sentences = statusReasons.map((reason) => describeStatus(true, status({ state: 'offline', reason }), online).sentence);
    expect(new Set(sentences).size).toBe(statusReasons.length);
    for (const sentence of sentences) expect(enStatus).toHaveProperty(sentence);
  });

  it('offers a retry only when offline, with the detail and the engine’s own retry time', () => {
    const view = describeStatus(true, status({ state: 'offline', reason: 'signaling-refused', detail: 'overloaded', retryAt: 5 }), online);
    expect(view).toEqual({ sentence: 'status_reason_signaling_refused', tone: 'problem', canRetry: true, detail: 'overloaded', retryAt: 5 });
    expect(describeStatus(true, status({ state: 'paused', reason: 'on-battery', detail: 'x' }), online)).toEqual({
      sentence: 'status_reason_on_battery',
      tone: 'paused',
      canRetry: false,
    });
  });

  describe('when the server cannot be reached', () => {
    const unreachable = status({ state: 'offline', reason: 'signaling-unreachable', detail: 'ECONNREFUSED', retryAt: 5 });

    it('says this computer is offline when the browser says it has no network, and names no server', () => {
      expect(describeStatus(true, unreachable, offline)).toEqual({ sentence: 'status_reason_computer_offline', tone: 'problem', canRetry: true, detail: 'ECONNREFUSED', retryAt: 5 });
      expect(enStatus.status_reason_computer_offline.message).toMatch(/this computer is offline/);
    });

    it('names the server and both possibilities when the computer seems online: the WebSocket error cannot tell them apart', () => {
      expect(describeStatus(true, unreachable, online)).toEqual({
        sentence: 'status_reason_signaling_unreachable',
        server: 'signal.example.org',
        tone: 'problem',
        canRetry: true,
        detail: 'ECONNREFUSED',
        retryAt: 5,
      });
      const sentence = enStatus.status_reason_signaling_unreachable.message;
      expect(sentence).toContain('$SERVER$');
      expect(sentence).toMatch(/may be down/);
      expect(sentence).toMatch(/may be offline/);
      expect(sentence).not.toMatch(/check your internet/i);
    });
  });
});

describe('serverName', () => {
  it.each([
    ['wss://signal.porchlight.network/ws', 'signal.porchlight.network'],
    ['ws://127.0.0.1:8787', '127.0.0.1:8787'],
    ['ws://[::1]:8787/ws', '[::1]:8787'],
    ['not a url', 'not a url'],
  ])('%s → %s', (url, name) => {
    expect(serverName(url)).toBe(name);
  });
});
