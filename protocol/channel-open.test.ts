import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ChannelOpenError, channelOpenBytes, decodeChannelOpen, encodeChannelOpen, newChannelId, sameDomain, type ChannelOpen, type ChannelParties } from './channel-open.ts';
import { createIdentity } from './identity.ts';
import { decimalFromMicroCredits, microCreditsFromDecimal } from './receipt.ts';

const client = createIdentity(new Uint8Array(32).fill(1));
const donor = createIdentity(new Uint8Array(32).fill(2));
const parties: ChannelParties = { donorPeerId: donor.peerId, client: new Wallet('0x' + '11'.repeat(32)).address, exit: new Wallet('0x' + '22'.repeat(32)).address };
const open: ChannelOpen = {
  channelId: '0x' + 'ab'.repeat(32),
  price: 1000n,
  domain: { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  resumeBytes: 0n,
};

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChannelOpenError) return error.code;
    throw error;
  }
  return 'accepted';
};

describe('CHANNEL_OPEN', () => {
  it('round-trips and checks the client signature', () => {
    const payload = encodeChannelOpen(client, { ...open, resumeBytes: 123_456n }, parties);
    expect(payload.length).toBe(channelOpenBytes);
    expect(decodeChannelOpen(payload, client.peerId, parties)).toEqual({ ...open, resumeBytes: 123_456n });
  });

  it('is deterministic for fixed keys (committed vector)', () => {
    const payload = encodeChannelOpen(client, open, parties);
    // ed25519 signatures are deterministic: any change to the layout or the signed parts shows here.
    expect(Buffer.from(payload).toString('hex')).toMatchInlineSnapshot(`"01abababababababababababababababababababababababababababababababab00000000000000000000000000000000000000000000000000000000000003e80000000000000000000000000000000000000000000000000000000000007a695fbdb2315678afecb367f032d93f642f64180aa30000000000000000688a35919d07613a7827bfd9ee0cc0d028c64a1fbd29a70ef6f724a0dcccd756bef59433381a18da82840e81a1b4625506e16f0942d7f4aebd60557895cf0c0c"`);
  });

  it.each<[string, (p: Uint8Array) => Uint8Array, ChannelParties?, string?]>([
    ['a changed price', (p) => p.map((b, i) => (i === 64 ? b ^ 1 : b))],
    ['a changed resume point', (p) => p.map((b, i) => (i === 124 ? b ^ 1 : b))],
    ['another donor', (p) => p, { ...parties, donorPeerId: createIdentity().peerId }],
    ['another exit address', (p) => p, { ...parties, exit: Wallet.createRandom().address }],
    ['another client key', (p) => p, undefined, createIdentity().peerId],
  ])('refuses %s as a bad signature', (_name, tamper, otherParties, otherClient) => {
    const payload = tamper(encodeChannelOpen(client, open, parties));
    expect(refusal(() => decodeChannelOpen(payload, otherClient ?? client.peerId, otherParties ?? parties))).toBe('bad-signature');
  });

  it('refuses a wrong length or version as a bad frame', () => {
    const payload = encodeChannelOpen(client, open, parties);
    expect(refusal(() => decodeChannelOpen(payload.subarray(1), client.peerId, parties))).toBe('bad-frame');
    expect(refusal(() => decodeChannelOpen(Uint8Array.of(2, ...payload.subarray(1)), client.peerId, parties))).toBe('bad-frame');
  });

  it('compares the settlement domain', () => {
    expect(sameDomain(open, { chainId: 31337, verifyingContract: open.domain.verifyingContract.toLowerCase() })).toBe(true);
    expect(sameDomain(open, { chainId: 1, verifyingContract: open.domain.verifyingContract })).toBe(false);
  });

  it('makes fresh channel ids', () => {
    expect(newChannelId()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(newChannelId()).not.toBe(newChannelId());
  });
});

describe('listing prices in micro-credits', () => {
  it.each([
    ['0.001', 1000n],
    ['0', 0n],
    ['1.5', 1_500_000n],
    ['0.000001', 1n],
    ['2.100000000', 2_100_000n],
  ])('%s credits → %s', (decimal, micro) => {
    expect(microCreditsFromDecimal(decimal)).toBe(micro);
  });

  it('refuses amounts finer than a micro-credit or not decimal', () => {
    expect(() => microCreditsFromDecimal('0.0000001')).toThrow(RangeError);
    expect(() => microCreditsFromDecimal('1e-3')).toThrow(RangeError);
    expect(() => microCreditsFromDecimal('-1')).toThrow(RangeError);
  });

  it('formats micro-credits back exactly', () => {
    expect(decimalFromMicroCredits(1000n)).toBe('0.001');
    expect(decimalFromMicroCredits(2_000_000n)).toBe('2');
    expect(decimalFromMicroCredits(0n)).toBe('0');
  });
});
