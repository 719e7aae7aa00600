import { describe, expect, it } from 'vitest';
import { SignalingConfigError, defaultSignalingConfig, loadSignalingConfig } from './config.ts';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadSignalingConfig(env);
    return [];
  } catch (error) {
    if (error instanceof SignalingConfigError) return error.problems;
    throw error;
  }
}

describe('signaling config', () => {
  it('uses the documented defaults for an empty environment, ignoring other variables', () => {
    expect(loadSignalingConfig({ PATH: '/bin', PORCHLIGHT_SIGNALING_PORT: '' })).toEqual(defaultSignalingConfig);
    expect(defaultSignalingConfig).toMatchObject({ host: '127.0.0.1', port: 8787, audience: 'porchlight-signaling', maxMessageBytes: 65_536 });
  });

  it('reads every variable', () => {
    const config = loadSignalingConfig({
      PORCHLIGHT_SIGNALING_HOST: '0.0.0.0',
      PORCHLIGHT_SIGNALING_PORT: '9000',
      PORCHLIGHT_SIGNALING_AUDIENCE: 'staging',
      PORCHLIGHT_SIGNALING_MAX_MESSAGE_BYTES: '32768',
      PORCHLIGHT_SIGNALING_MAX_BUFFERED_BYTES: '524288',
      PORCHLIGHT_SIGNALING_MAX_CONNECTIONS: '50',
      PORCHLIGHT_SIGNALING_MAX_CONNECTIONS_PER_IP: '6',
      PORCHLIGHT_SIGNALING_LOGIN_TIMEOUT_MS: '5000',
      PORCHLIGHT_SIGNALING_PING_INTERVAL_MS: '15000',
      PORCHLIGHT_SIGNALING_SESSION_RESERVATION_MS: '30000',
      PORCHLIGHT_SIGNALING_OFFER_TIMEOUT_MS: '5000',
      PORCHLIGHT_SIGNALING_MAX_RESERVATIONS_PER_PEER: '2',
      PORCHLIGHT_SIGNALING_MAX_RESERVATIONS_PER_IP: '8',
      PORCHLIGHT_SIGNALING_LISTING_MAX_SKEW_MS: '60000',
      PORCHLIGHT_SIGNALING_IP_CONNECT_BURST: '5',
      PORCHLIGHT_SIGNALING_IP_CONNECTS_PER_SECOND: '0.5',
      PORCHLIGHT_SIGNALING_IP_MESSAGE_BURST: '10',
      PORCHLIGHT_SIGNALING_IP_MESSAGES_PER_SECOND: '5',
      PORCHLIGHT_SIGNALING_PEER_MESSAGE_BURST: '8',
      PORCHLIGHT_SIGNALING_PEER_MESSAGES_PER_SECOND: '4',
      PORCHLIGHT_SIGNALING_ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
      PORCHLIGHT_SIGNALING_LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      audience: 'staging',
      maxMessageBytes: 32_768,
      maxBufferedBytes: 524_288,
      maxConnections: 50,
      maxConnectionsPerIp: 6,
      loginTimeoutMs: 5_000,
      pingIntervalMs: 15_000,
      sessionReservationMs: 30_000,
      offerTimeoutMs: 5_000,
      maxReservationsPerPeer: 2,
      maxReservationsPerIp: 8,
      listingMaxSkewMs: 60_000,
      ipConnectionRate: { burst: 5, perSecond: 0.5 },
      ipMessageRate: { burst: 10, perSecond: 5 },
      peerMessageRate: { burst: 8, perSecond: 4 },
      iceServers: [{ urls: 'stun:stun.example.org:3478' }],
      logLevel: 'debug',
    });
  });

  it.each([
    ['PORCHLIGHT_SIGNALING_PORT', '80a'],
    ['PORCHLIGHT_SIGNALING_PORT', '70000'],
    ['PORCHLIGHT_SIGNALING_MAX_MESSAGE_BYTES', '10'],
    ['PORCHLIGHT_SIGNALING_MAX_CONNECTIONS_PER_IP', '0'],
    ['PORCHLIGHT_SIGNALING_OFFER_TIMEOUT_MS', '10'],
    ['PORCHLIGHT_SIGNALING_MAX_RESERVATIONS_PER_PEER', '1.5'],
    ['PORCHLIGHT_SIGNALING_MAX_RESERVATIONS_PER_IP', '0'],
    ['PORCHLIGHT_SIGNALING_PEER_MESSAGES_PER_SECOND', '-1'],
    ['PORCHLIGHT_SIGNALING_ICE_SERVERS', 'stun:x'],
    ['PORCHLIGHT_SIGNALING_ICE_SERVERS', '[{"url":"stun:x"}]'],
    ['PORCHLIGHT_SIGNALING_LOG_LEVEL', 'loud'],
    ['PORCHLIGHT_SIGNALING_PROT', '8787'],
  ])('names %s=%s in the error', (name, value) => {
    const found = problems({ [name]: value });
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) expect(problem).toContain(name);
  });

  it('reports every bad variable at once', () => {
    expect(problems({ PORCHLIGHT_SIGNALING_PORT: 'x', PORCHLIGHT_SIGNALING_LOG_LEVEL: 'loud' })).toHaveLength(2);
  });
});
