// The oracle's challenges over a real signaling server, answered by the donor's real uptime
// responder. Hostile parties: an impostor answering for the donor, a donor that goes silent.
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUptimeResponder } from '../../offscreen/peers/uptime-responder.ts';
import { connectSignaling, type SignalingClient } from '../../offscreen/peers/signaling-client.ts';
import { createIdentity } from '../../protocol/identity.ts';
import { createPaymentBinding, paymentBindingToJson } from '../../protocol/payment-key.ts';
import { silentLogger } from '../../signaling/log.ts';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import { NodeWebSocket } from '../../tests/support/node-peers.ts';
import { createUptimeChallenger } from './uptime-challenger.ts';
import { createUptimeRecord } from './uptime-record.ts';

let server: SignalingServer;
const clients: SignalingClient[] = [];
const listing = { tierMbps: 50, maxSessions: 4, pricePerMiB: '0.0025', policyDigest: 'ab'.repeat(32) };

async function connect(identity = createIdentity()): Promise<SignalingClient> {
  const client = await connectSignaling({ url: server.url, identity, WebSocketImpl: NodeWebSocket });
  clients.push(client);
  return client;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  server = await createSignalingServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('uptime challenger', () => {
  it('counts a listed donor’s verified answers with its payment address, a silent donor as missed, an impostor’s answer as refused', async () => {
    const oracleIdentity = createIdentity();
    const oracle = await connect(oracleIdentity);
    const donorIdentity = createIdentity();
    const donor = await connect(donorIdentity);
    await donor.announce(listing);
    const wallet = Wallet.createRandom();
    const binding = paymentBindingToJson(await createPaymentBinding(donorIdentity, wallet));
    createUptimeResponder({ identity: donorIdentity, signaling: donor, oracles: [oracleIdentity.peerId], binding: async () => binding, report: () => ({ sharing: 'on', activeSessions: 0 }) });
    // A donor that is listed but never answers.
    const silent = await connect();
    await silent.announce(listing);
    // An impostor that answers every challenge it can see with junk claiming to be the donor.
    const impostor = await connect();

    const record = createUptimeRecord();
    const challenger = createUptimeChallenger({ identity: oracleIdentity, signaling: oracle, record, epochAt: () => 3, deadlineMs: 1_000 });
    try {
      expect(await challenger.round()).toBe(2);
      await until(() => record.epoch(3).get(donorIdentity.peerId)?.valid === 1);
      impostor.sendSignal(oracleIdentity.peerId, { session: 'a'.repeat(32), kind: 'uptime-response', data: { body: '{}', signature: 'ab' } });
      await until(() => Object.keys(record.epoch(3).get(impostor.peerId)?.refused ?? {}).length > 0);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      challenger.expire();
      const seen = record.epoch(3);
      expect(seen.get(donorIdentity.peerId)).toMatchObject({ sent: 1, valid: 1, missed: 0, paymentAddress: wallet.address });
      expect(seen.get(silent.peerId)).toMatchObject({ sent: 1, valid: 0, missed: 1 });
      expect(seen.get(impostor.peerId)?.valid ?? 0).toBe(0);
    } finally {
      challenger.close();
    }
  });
});
