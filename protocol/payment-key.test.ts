import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from './bytes.ts';
import { createIdentity, signTagged, signatureTags } from './identity.ts';
import { createPaymentBinding, parsePaymentBinding, paymentBindingToJson, verifyPaymentBinding, type PaymentBinding } from './payment-key.ts';

// Fixed keys: an ed25519 seed of 32 × 0x07 and the secp256k1 key keccak256("cow").
const identity = createIdentity(new Uint8Array(32).fill(7));
const wallet = new Wallet('0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4');
const vector = {
  peerId: 'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c',
  address: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826',
  identitySignature: 'ff381a31e51b074ba7ad5cfee28f3b14604bc650b8404b790d15db00b16e162a011758857274836dd2e346e09dc0ceeeb60291687ba3590b240cfa9151879a0e',
  paymentSignature:
    '0x4dab2abeb0b3af78eb80efcff447f8e70c2c907ffe89c08635ce0d05d675ec455c938ccbaf964d935dd4a725b5ad381d66b371ad458fa04177af64c5239c10bb1c',
};

describe('payment binding', () => {
  it('matches the fixed vector and verifies to the checksummed address', async () => {
    expect(identity.peerId).toBe(vector.peerId);
    const binding = await createPaymentBinding(identity, wallet);
    expect(paymentBindingToJson(binding)).toEqual({ address: vector.address, identitySignature: vector.identitySignature, paymentSignature: vector.paymentSignature });
    expect(verifyPaymentBinding(identity.peerId, binding)).toBe(vector.address);
  });

  it('round-trips the JSON form', async () => {
    const binding = await createPaymentBinding(identity, wallet);
    const parsed = parsePaymentBinding(JSON.parse(JSON.stringify(paymentBindingToJson(binding))));
    expect(verifyPaymentBinding(identity.peerId, parsed)).toBe(vector.address);
  });

  const otherIdentity = createIdentity(new Uint8Array(32).fill(8));
  const otherWallet = new Wallet('0x' + '42'.repeat(32));
  const cases: Array<[string, (b: PaymentBinding) => Promise<[string, PaymentBinding]>, string]> = [
    ['a peer id that is not one', async (b) => ['ABC', b], 'bad-peer-id'],
    ['claimed by another peer', async (b) => [otherIdentity.peerId, b], 'bad-identity-signature'],
    ['an address that is not one', async (b) => [identity.peerId, { ...b, address: '0x1234' }], 'bad-address'],
    ['a lowercase address', async (b) => [identity.peerId, { ...b, address: b.address.toLowerCase() }], 'bad-address'],
    // Someone else's address, vouched for by our identity, but never signed by that key.
    [
      'an address whose key did not sign the peer id',
      async (b) => [identity.peerId, { ...b, address: otherWallet.address, identitySignature: signTagged(identity, signatureTags.paymentBinding, hexToBytes(otherWallet.address.slice(2))) }],
      'bad-payment-signature',
    ],
    ['a payment signature over another peer id', async (b) => [identity.peerId, { ...b, paymentSignature: (await createPaymentBinding(otherIdentity, wallet)).paymentSignature }], 'bad-payment-signature'],
    ['a malformed payment signature', async (b) => [identity.peerId, { ...b, paymentSignature: '0x00' }], 'bad-payment-signature'],
    // The identity signature made for another purpose (a HELLO tag) is not a binding.
    ['an identity signature under another tag', async (b) => [identity.peerId, { ...b, identitySignature: signTagged(identity, signatureTags.hello, hexToBytes(b.address.slice(2))) }], 'bad-identity-signature'],
    ['a truncated identity signature', async (b) => [identity.peerId, { ...b, identitySignature: b.identitySignature.subarray(1) }], 'bad-identity-signature'],
  ];
  it.each(cases)('refuses %s', async (_, mutate, code) => {
    const [peerId, binding] = await mutate(await createPaymentBinding(identity, wallet));
    expect(() => verifyPaymentBinding(peerId, binding)).toThrow(expect.objectContaining({ name: 'PaymentBindingError', code }));
  });

  it.each([
    ['not an object', null],
    ['an extra field', { address: vector.address, identitySignature: vector.identitySignature, paymentSignature: vector.paymentSignature, extra: 1 }],
    ['a short identity signature', { address: vector.address, identitySignature: 'ff', paymentSignature: vector.paymentSignature }],
  ])('refuses JSON that is %s', (_, value) => {
    expect(() => parsePaymentBinding(value)).toThrow(expect.objectContaining({ code: 'bad-shape' }));
  });
});
