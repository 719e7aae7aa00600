import { describe, expect, it } from 'vitest';
import { hexToBytes } from './bytes.ts';
import { createPaymentKey, isPaymentSecret, paymentKeyFromSecret, paymentSecretOf } from './payment-secret.ts';

// keccak256("cow"), the signer of the EIP-712 specification's example, and its address.
const cowSecret = hexToBytes('c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4');
const cowAddress = '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826';
const order = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
const orderMinusOne = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140';

describe('payment secret', () => {
  it('rebuilds the published key to its published address, and gives its bytes back', () => {
    const wallet = paymentKeyFromSecret(cowSecret);
    expect(wallet.address).toBe(cowAddress);
    expect(paymentSecretOf(wallet)).toEqual(cowSecret);
  });

  it.each([
    ['zero', new Uint8Array(32), false],
    ['one', hexToBytes('00'.repeat(31) + '01'), true],
    ['the group order minus one', hexToBytes(orderMinusOne), true],
    ['the group order', hexToBytes(order), false],
    ['all ones', new Uint8Array(32).fill(0xff), false],
    ['31 bytes', new Uint8Array(31).fill(1), false],
    ['33 bytes', new Uint8Array(33).fill(1), false],
  ])('%s: valid = %s', (_, secret, valid) => {
    expect(isPaymentSecret(secret)).toBe(valid);
    if (valid) expect(paymentKeyFromSecret(secret).address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    else expect(() => paymentKeyFromSecret(secret)).toThrow(RangeError);
  });

  it('creates distinct valid keys', () => {
    const [a, b] = [createPaymentKey(), createPaymentKey()];
    expect(a.address).not.toBe(b.address);
    expect(isPaymentSecret(paymentSecretOf(a))).toBe(true);
    expect(paymentKeyFromSecret(paymentSecretOf(a)).address).toBe(a.address);
  });
});
