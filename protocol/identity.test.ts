import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes.ts';
import * as ed from '@noble/ed25519';
import { createIdentity, identityFromSecretKey, signTagged, signatureTags, verifyTagged } from './identity.ts';

// RFC 8032 section 7.1, tests 1-3.
const rfc8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('identity', () => {
  it.each(rfc8032)('matches RFC 8032 vector for message "$message"', (v) => {
    const id = identityFromSecretKey(hexToBytes(v.secret));
    expect(id.peerId).toBe(v.public);
    const sig = ed.sign(hexToBytes(v.message), id.secretKey);
    expect(bytesToHex(sig)).toBe(v.signature);
    expect(ed.verify(sig, hexToBytes(v.message), id.publicKey)).toBe(true);
  });

  it('binds signatures to their domain tag', () => {
    const id = createIdentity();
    const msg = utf8ToBytes('offer');
    const sig = signTagged(id, signatureTags.signal, msg);
    expect(verifyTagged(id.peerId, signatureTags.signal, msg, sig)).toBe(true);
    expect(verifyTagged(id.peerId, signatureTags.hello, msg, sig)).toBe(false);
    expect(verifyTagged(createIdentity().peerId, signatureTags.signal, msg, sig)).toBe(false);
  });

  it('rejects malformed ids and signatures without throwing', () => {
    const id = createIdentity();
    const msg = utf8ToBytes('x');
    const sig = signTagged(id, signatureTags.hello, msg);
    expect(verifyTagged('not-a-peer', signatureTags.hello, msg, sig)).toBe(false);
    expect(verifyTagged(id.peerId, signatureTags.hello, msg, sig.subarray(1))).toBe(false);
    expect(verifyTagged(id.peerId.toUpperCase(), signatureTags.hello, msg, sig)).toBe(false);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => identityFromSecretKey(new Uint8Array(31))).toThrow(RangeError);
  });
});
