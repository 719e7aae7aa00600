// Types for loopback-only.mjs, for the TypeScript scripts that call it.

/** Names of network interfaces that carry a non-loopback address in this namespace. */
export function nonLoopbackInterfaces(): string[];

/**
 * Throws unless this process can reach nothing but loopback.
 * @throws {Error} naming the interfaces that are up.
 */
export function assertLoopbackOnly(what?: string): void;
