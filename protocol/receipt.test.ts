import { AbiCoder, TypedDataEncoder, Wallet, concat, getAddress, keccak256, toUtf8Bytes, verifyTypedData } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './bytes.ts';
import {
  ReceiptError,
  creditsForBytes,
  decodeReceiptFrame,
  encodeReceiptFrame,
  parseReceipt,
  parseSignedReceipt,
  receiptDigest,
  receiptDomain,
  receiptFrameBytes,
  receiptToJson,
  receiptTypedData,
  receiptTypes,
  recoverReceiptSigner,
  signReceipt,
  signedReceiptToJson,
  type Receipt,
  type ReceiptDomainConfig,
} from './receipt.ts';

// The fixed vector: the key is keccak256("cow"), the signer of the EIP-712 specification's example.
const vectorKey = '0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4';
const vectorWallet = new Wallet(vectorKey);
const vectorDomain: ReceiptDomainConfig = { chainId: 8453, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' };
const vectorReceipt: Receipt = {
  channelId: '0x' + '11'.repeat(32),
  client: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826',
  exit: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB',
  cumBytes: 52_428_800n, // 50 MiB
  cumCredits: 50_000_000n, // 50 credits
  price: 1_000_000n, // 1 credit per MiB
  expiry: 1_893_456_000n, // 2030-01-01T00:00:00Z
};
const vectorDigest = '0x01b3d6cc97770c0ad9f2630115864a460c4f86c57b21ed7513c8b6687b6bd33f';
const vectorSignature =
  '0x4aa59dcf5397a45ee24b30980c0ff016e5cb0052b233b530f17b42bd787c041a75265310f0bf4d658686b407ab350a995bedd4babb6fae43eab559776de518b01b';
const vectorFrame =
  '01' +
  '11'.repeat(32) +
  'cd2a3d9f938e13cd947ec05abc7fe734df8dd826' +
  'bb'.repeat(20) +
  '0000000000000000000000000000000000000000000000000000000003200000' +
  '0000000000000000000000000000000000000000000000000000000002faf080' +
  '00000000000000000000000000000000000000000000000000000000000f4240' +
  '0000000070dbd880' +
  vectorSignature.slice(2);

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => '0x' + bytesToHex(b));
const address = hex(20).map((a) => getAddress(a));
const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
const receiptArb: fc.Arbitrary<Receipt> = fc.record({
  channelId: hex(32),
  client: address,
  exit: address,
  cumBytes: uint(256),
  cumCredits: uint(256),
  price: uint(256),
  expiry: uint(64),
});
const domainArb: fc.Arbitrary<ReceiptDomainConfig> = fc.record({ chainId: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), verifyingContract: address });

describe('receipt typed data', () => {
  it('matches the fixed vector (digest, signature, frame bytes)', async () => {
    expect(vectorWallet.address).toBe(vectorReceipt.client);
    expect(receiptDigest(vectorDomain, vectorReceipt)).toBe(vectorDigest);
    const signed = await signReceipt(vectorWallet, vectorDomain, vectorReceipt);
    expect(signed.signature).toBe(vectorSignature);
    expect(bytesToHex(encodeReceiptFrame(signed))).toBe(vectorFrame);
    expect(recoverReceiptSigner(vectorDomain, vectorReceipt, vectorSignature)).toBe(vectorReceipt.client);
    // Told to expect the client: its key is kept, and the hostile cases below run against it too.
    expect(recoverReceiptSigner(vectorDomain, vectorReceipt, vectorSignature, vectorReceipt.client)).toBe(vectorReceipt.client);
    expect(recoverReceiptSigner(vectorDomain, vectorReceipt, vectorSignature, vectorReceipt.client)).toBe(vectorReceipt.client);
  });

  it('hashes as the settlement contract will: keccak256(0x1901 ‖ domainSeparator ‖ structHash), built by hand', () => {
    const abi = AbiCoder.defaultAbiCoder();
    const typeHash = keccak256(toUtf8Bytes('Receipt(bytes32 channelId,address client,address exit,uint256 cumBytes,uint256 cumCredits,uint256 price,uint64 expiry)'));
    const domainTypeHash = keccak256(toUtf8Bytes('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'));
    const domainSeparator = keccak256(
      abi.encode(['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'], [domainTypeHash, keccak256(toUtf8Bytes('Porchlight')), keccak256(toUtf8Bytes('1')), vectorDomain.chainId, vectorDomain.verifyingContract]),
    );
    const r = vectorReceipt;
    const structHash = keccak256(
      abi.encode(['bytes32', 'bytes32', 'address', 'address', 'uint256', 'uint256', 'uint256', 'uint64'], [typeHash, r.channelId, r.client, r.exit, r.cumBytes, r.cumCredits, r.price, r.expiry]),
    );
    expect(keccak256(concat(['0x1901', domainSeparator, structHash]))).toBe(vectorDigest);
  });

  it("matches ethers' TypedDataEncoder for random receipts and domains", () => {
    fc.assert(
      fc.property(domainArb, receiptArb, (domain, receipt) => {
        const typed = receiptTypedData(domain, receipt);
        expect(receiptDigest(domain, receipt)).toBe(TypedDataEncoder.hash(typed.domain, receiptTypes, typed.message));
        expect(TypedDataEncoder.from(receiptTypes).primaryType).toBe('Receipt');
      }),
      { numRuns: 200 },
    );
  });

  it('recovers the signer for random receipts, and another signer for any other receipt', async () => {
    const wallet = Wallet.createRandom();
    await fc.assert(
      fc.asyncProperty(domainArb, receiptArb, async (domain, receipt) => {
        const signed = await signReceipt(wallet, domain, receipt);
        expect(recoverReceiptSigner(domain, receipt, signed.signature)).toBe(wallet.address);
        const bumped = { ...receipt, cumBytes: receipt.cumBytes ^ 1n };
        expect(recoverReceiptSigner(domain, bumped, signed.signature)).not.toBe(wallet.address);
        const otherChain = { ...domain, chainId: BigInt(domain.chainId) + 1n };
        expect(recoverReceiptSigner(otherChain, receipt, signed.signature)).not.toBe(wallet.address);
      }),
      { numRuns: 30 },
    );
  });

  it("signs exactly as ethers' Wallet.signTypedData, directly or through a signer that hides its key", async () => {
    const wallet = Wallet.createRandom();
    // Only signTypedData: the path a signer without a readable key (a hardware wallet) takes.
    const opaque = { signTypedData: wallet.signTypedData.bind(wallet) };
    await fc.assert(
      fc.asyncProperty(domainArb, receiptArb, async (domain, receipt) => {
        const typed = receiptTypedData(domain, receipt);
        const expected = (await wallet.signTypedData(typed.domain, receiptTypes, typed.message)).toLowerCase();
        expect((await signReceipt(wallet, domain, receipt)).signature).toBe(expected);
        expect((await signReceipt(opaque, domain, receipt)).signature).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("recovers what ethers' verifyTypedData recovers, for the right receipt, a wrong v, another receipt and another domain", async () => {
    const wallet = Wallet.createRandom();
    await fc.assert(
      fc.asyncProperty(domainArb, domainArb, receiptArb, receiptArb, async (domain, otherDomain, receipt, other) => {
        const { signature } = await signReceipt(wallet, domain, receipt);
        const flippedV = signature.slice(0, 130) + (signature.endsWith('1b') ? '1c' : '1b');
        const ethersRecovers = (d: ReceiptDomainConfig, r: Receipt, sig: string) => verifyTypedData(receiptDomain(d), receiptTypes, receiptTypedData(d, r).message, sig);
        // Without a hint, then told to expect the signer (whose key is known after the first receipt).
        expect(recoverReceiptSigner(domain, receipt, signature)).toBe(wallet.address);
        expect(recoverReceiptSigner(domain, receipt, signature, wallet.address)).toBe(wallet.address);
        for (const [d, r, sig] of [[domain, receipt, flippedV], [domain, other, signature], [otherDomain, receipt, signature]] as const) {
          const recovered = recoverReceiptSigner(d, r, sig);
          expect(recovered).toBe(ethersRecovers(d, r, sig));
          expect(recovered).not.toBe(wallet.address);
          expect(recoverReceiptSigner(d, r, sig, wallet.address)).toBe(recovered);
          expect(recoverReceiptSigner(d, r, sig, recovered)).toBe(recovered);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses what ethers refuses to hash: a field outside its type, an address with a wrong checksum', () => {
    const cases: Array<[string, Receipt]> = [
      ['cumBytes of 2^256', { ...vectorReceipt, cumBytes: 1n << 256n }],
      ['a negative price', { ...vectorReceipt, price: -1n }],
      ['an expiry of 2^64', { ...vectorReceipt, expiry: 1n << 64n }],
      ['a short channel id', { ...vectorReceipt, channelId: '0x1234' }],
      ['a mis-checksummed client', { ...vectorReceipt, client: '0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' }],
    ];
    for (const [, receipt] of cases) {
      expect(() => TypedDataEncoder.hash(receiptDomain(vectorDomain), receiptTypes, receiptTypedData(vectorDomain, receipt).message)).toThrow();
      expect(() => receiptDigest(vectorDomain, receipt)).toThrow(RangeError);
      expect(() => recoverReceiptSigner(vectorDomain, receipt, vectorSignature)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    }
    // One case throughout is what ethers accepts too.
    const lower = { ...vectorReceipt, client: vectorReceipt.client.toLowerCase(), channelId: vectorReceipt.channelId.toUpperCase().replace('0X', '0x') };
    expect(receiptDigest(vectorDomain, lower)).toBe(vectorDigest);
  });

  it('refuses a domain that is not a configuration', () => {
    expect(() => receiptDomain({ chainId: 0, verifyingContract: vectorDomain.verifyingContract })).toThrow(RangeError);
    expect(() => receiptDomain({ chainId: 1, verifyingContract: '0x1234' })).toThrow(ReceiptError);
  });
});

describe('credits for bytes', () => {
  it.each([
    [0n, 1_000_000n, 0n],
    [1n << 20n, 1_000_000n, 1_000_000n],
    [1n, 1_000_000n, 1n], // one byte of a MiB at 1 credit/MiB is 0.95 micro-credits: rounds up to 1
    [(1n << 20n) + 1n, 1_000_000n, 1_000_001n],
    [524_288n, 3n, 2n], // half a MiB at 3 micro-credits/MiB = 1.5 → 2
    [123n, 0n, 0n],
  ])('%s bytes at %s µcredits/MiB owe %s µcredits', (bytes, price, credits) => {
    expect(creditsForBytes(bytes, price)).toBe(credits);
  });
});

describe('receipt JSON form', () => {
  it('round-trips random receipts', () => {
    fc.assert(
      fc.property(receiptArb, (receipt) => {
        expect(parseReceipt(JSON.parse(JSON.stringify(receiptToJson(receipt))))).toEqual(receipt);
      }),
    );
  });

  it('round-trips a signed receipt', () => {
    const json = signedReceiptToJson({ receipt: vectorReceipt, signature: vectorSignature });
    expect(parseSignedReceipt(JSON.parse(JSON.stringify(json)))).toEqual({ receipt: vectorReceipt, signature: vectorSignature });
  });

  const good = receiptToJson(vectorReceipt);
  const bad: Array<[string, unknown, string]> = [
    ['not an object', 'receipt', 'bad-shape'],
    ['a missing field', { ...good, expiry: undefined }, 'bad-shape'],
    ['an extra field', { ...good, tip: '1' }, 'bad-shape'],
    ['a number instead of a decimal string', { ...good, cumBytes: 5 }, 'bad-shape'],
    ['a short channel id', { ...good, channelId: '0x1234' }, 'bad-channel-id'],
    ['an uppercase channel id', { ...good, channelId: '0x' + 'AB'.repeat(32) }, 'bad-channel-id'],
    ['a non-hex address', { ...good, client: '0x' + 'zz'.repeat(20) }, 'bad-address'],
    ['an address without 0x', { ...good, exit: 'bb'.repeat(21) }, 'bad-address'],
    ['a lowercase (unchecksummed) address', { ...good, client: good.client.toLowerCase() }, 'bad-checksum'],
    ['a wrong checksum', { ...good, exit: '0xBbBBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' }, 'bad-checksum'],
    ['a negative count', { ...good, cumBytes: '-1' }, 'bad-uint'],
    ['a leading zero', { ...good, price: '01' }, 'bad-uint'],
    ['a hex number', { ...good, price: '0x10' }, 'bad-uint'],
    ['an exponent', { ...good, cumCredits: '1e6' }, 'bad-uint'],
    ['a count beyond uint256', { ...good, cumBytes: (1n << 256n).toString() }, 'out-of-range'],
    ['an expiry beyond uint64', { ...good, expiry: (1n << 64n).toString() }, 'out-of-range'],
  ];
  it.each(bad)('refuses %s', (_, value, code) => {
    expect(() => parseReceipt(value)).toThrow(expect.objectContaining({ name: 'ReceiptError', code }));
  });

  const badSignatures: Array<[string, string]> = [
    ['too short', vectorSignature.slice(0, -2)],
    ['uppercase hex', vectorSignature.toUpperCase().replace('0X', '0x')],
    ['v = 0', vectorSignature.slice(0, -2) + '00'],
    // The same signature with s' = n - s and v flipped: valid for ecrecover, refused as OpenZeppelin does.
    ['the high-s twin', highSTwin(vectorSignature)],
  ];
  it.each(badSignatures)('refuses a signature that is %s', (_, signature) => {
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature)).toThrow(expect.objectContaining({ code: 'bad-signature-encoding' }));
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature, vectorReceipt.client)).toThrow(expect.objectContaining({ code: 'bad-signature-encoding' }));
    expect(() => parseSignedReceipt({ receipt: good, signature })).toThrow(expect.objectContaining({ code: 'bad-signature-encoding' }));
  });

  it.each([
    ['r = 0', '00'.repeat(32)],
    ['r = n (the curve order)', 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'],
    ['r = 2^256 - 1', 'ff'.repeat(32)],
    ['r that is no point on the curve (x = 5)', '00'.repeat(31) + '05'],
  ])('refuses a well-formed signature that recovers no key: %s', (_, r) => {
    const signature = '0x' + r + vectorSignature.slice(66);
    expect(recoverReceiptSigner(vectorDomain, vectorReceipt, vectorSignature, vectorReceipt.client)).toBe(vectorReceipt.client); // the key is known
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature, vectorReceipt.client)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => verifyTypedData(receiptDomain(vectorDomain), receiptTypes, receiptTypedData(vectorDomain, vectorReceipt).message, signature)).toThrow();
  });

  it('refuses s = 0 as recovering no key', () => {
    const signature = vectorSignature.slice(0, 66) + '00'.repeat(32) + vectorSignature.slice(130);
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => recoverReceiptSigner(vectorDomain, vectorReceipt, signature, vectorReceipt.client)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
  });
});

describe('RECEIPT frame payload', () => {
  it('round-trips random signed receipts', async () => {
    const wallet = Wallet.createRandom();
    await fc.assert(
      fc.asyncProperty(domainArb, receiptArb, async (domain, receipt) => {
        const signed = await signReceipt(wallet, domain, receipt);
        const frame = encodeReceiptFrame(signed);
        expect(frame.length).toBe(receiptFrameBytes);
        expect(decodeReceiptFrame(frame)).toEqual(signed);
      }),
      { numRuns: 30 },
    );
  });

  const frame = hexToBytes(vectorFrame);
  const withByte = (index: number, value: number) => {
    const copy = Uint8Array.from(frame);
    copy[index] = value;
    return copy;
  };
  const bad: Array<[string, Uint8Array, string]> = [
    ['empty', new Uint8Array(0), 'bad-frame-length'],
    ['one byte short', frame.subarray(0, frame.length - 1), 'bad-frame-length'],
    ['one byte long', Uint8Array.of(...frame, 0), 'bad-frame-length'],
    ['an unknown version', withByte(0, 2), 'bad-frame-version'],
    ['a bad v byte', withByte(frame.length - 1, 29), 'bad-signature-encoding'],
  ];
  it.each(bad)('refuses a frame that is %s', (_, bytes, code) => {
    expect(() => decodeReceiptFrame(bytes)).toThrow(expect.objectContaining({ name: 'ReceiptError', code }));
  });

  it('decodes every byte string to a receipt or a ReceiptError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: receiptFrameBytes, maxLength: receiptFrameBytes })), (bytes) => {
        try {
          decodeReceiptFrame(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ReceiptError);
        }
      }),
    );
  });
});

function highSTwin(signature: string): string {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt('0x' + signature.slice(66, 130));
  const v = Number.parseInt(signature.slice(130), 16);
  return signature.slice(0, 66) + (n - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b');
}
