import { Wallet } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from './bytes.ts';
import { decodeFrame, encodeFrame } from './frames.ts';
import { HelloError, createHello, verifyHello, type HelloContext } from './hello.ts';
import { createIdentity } from './identity.ts';
import { createPaymentBinding, type PaymentBinding } from './payment-key.ts';
import { sdpFingerprint } from './sdp-fingerprint.ts';

const sdpA = 'v=0\r\na=fingerprint:sha-256 AA:BB:CC:DD\r\na=setup:actpass\r\n';
const sdpB = 'v=0\r\na=fingerprint:sha-256 11:22:33:44\r\n';
const sdpMallory = 'v=0\r\na=fingerprint:sha-256 66:66:66:66\r\n';

const clientId = createIdentity();
const donorId = createIdentity();
const clientWallet = Wallet.createRandom();
const donorWallet = Wallet.createRandom();
let clientPayment: PaymentBinding;
let donorPayment: PaymentBinding;
beforeAll(async () => {
  clientPayment = await createPaymentBinding(clientId, clientWallet);
  donorPayment = await createPaymentBinding(donorId, donorWallet);
});

function contexts() {
  const clientNonce = randomBytes(32);
  const donorNonce = randomBytes(32);
  const client: HelloContext = { role: 'client', localFingerprint: sdpFingerprint(sdpA), remoteFingerprint: sdpFingerprint(sdpB), localNonce: clientNonce, remoteNonce: donorNonce, payment: clientPayment };
  const donor: HelloContext = { role: 'donor', localFingerprint: sdpFingerprint(sdpB), remoteFingerprint: sdpFingerprint(sdpA), localNonce: donorNonce, remoteNonce: clientNonce, payment: donorPayment };
  return { client, donor };
}

describe('HELLO', () => {
  it('verifies across the wire in both directions', () => {
    const { client, donor } = contexts();
    const fromDonor = decodeFrame(encodeFrame(createHello(donorId, donor)));
    const fromClient = decodeFrame(encodeFrame(createHello(clientId, client)));
    if (fromDonor.type !== 1 || fromClient.type !== 1) throw new Error('not a HELLO');
    expect(verifyHello(fromDonor, donorId.peerId, client)).toEqual({ peerId: donorId.peerId, paymentAddress: donorWallet.address });
    expect(verifyHello(fromClient, clientId.peerId, donor).peerId).toBe(clientId.peerId);
  });

  const failures: Array<[string, (c: ReturnType<typeof contexts>) => void, string, string?]> = [
    // A signaling server that swapped the SDPs sees its own certificate on each side.
    ['a relay in the middle (fingerprint mismatch)', (c) => (c.client.remoteFingerprint = sdpFingerprint(sdpMallory)), 'bad-signature'],
    ['our own fingerprint differs', (c) => (c.client.localFingerprint = sdpFingerprint(sdpMallory)), 'bad-signature'],
    ['a replayed HELLO from another session', (c) => (c.client.remoteNonce = randomBytes(32)), 'wrong-nonce'],
    ['our nonce differs', (c) => (c.client.localNonce = randomBytes(32)), 'bad-signature'],
    ['another identity than introduced', () => {}, 'wrong-peer', createIdentity().peerId],
  ];
  it.each(failures)('refuses %s', (_name, tamper, failure, expectedPeer) => {
    const c = contexts();
    const hello = createHello(donorId, c.donor);
    tamper(c);
    expect(() => verifyHello(hello, expectedPeer ?? donorId.peerId, c.client)).toThrow(expect.objectContaining({ failure }));
  });

  it('refuses a payment key bound to another identity', async () => {
    const c = contexts();
    // A valid binding, but of someone else's identity: its identity half does not verify for the donor.
    c.donor.payment = await createPaymentBinding(createIdentity(), donorWallet);
    const hello = decodeFrame(encodeFrame(createHello(donorId, c.donor)));
    if (hello.type !== 1) throw new Error('not a HELLO');
    expect(() => verifyHello(hello, donorId.peerId, c.client)).toThrow(expect.objectContaining({ failure: 'bad-payment-binding' }));
  });

  it('refuses a HELLO whose payment signature was swapped for another key\'s', async () => {
    const c = contexts();
    const other = await createPaymentBinding(donorId, Wallet.createRandom());
    c.donor.payment = { ...donorPayment, paymentSignature: other.paymentSignature };
    const hello = createHello(donorId, c.donor);
    expect(() => verifyHello(hello, donorId.peerId, c.client)).toThrow(expect.objectContaining({ failure: 'bad-payment-binding' }));
  });

  it('refuses a HELLO from the wrong role', () => {
    const c = contexts();
    const hello = createHello(clientId, { ...c.donor, role: 'client' });
    expect(() => verifyHello(hello, clientId.peerId, c.donor)).toThrow(HelloError);
  });

  it('canonicalises fingerprints', () => {
    expect(sdpFingerprint('a=fingerprint:SHA-256 AB:cd\r\n')).toBe('sha-256 ab:cd');
    expect(() => sdpFingerprint('v=0\r\n')).toThrow(/no DTLS fingerprint/);
  });
});
