// Every suite sends traffic only to loopback. Refuse to start anywhere else, so that an
// exit-policy bug (these suites aim at LAN and metadata addresses on purpose) or a WebRTC
// candidate can never reach a real network.
import { assertLoopbackOnly } from '../../scripts/loopback-only.mjs';

export default function setup(): void {
  (assertLoopbackOnly as (what: string) => void)('the test suites');
}
