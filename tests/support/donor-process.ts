// Entry point for a donor in its own process (see spawnDonorProcess): prints `ready <peerId>`.
import { startNodeDonor } from './node-peers.ts';

const signalingUrl = process.env.PORCHLIGHT_TEST_SIGNALING_URL;
const testOrigin = process.env.PORCHLIGHT_TEST_ORIGIN;
if (!signalingUrl || !testOrigin) {
  console.error('PORCHLIGHT_TEST_SIGNALING_URL and PORCHLIGHT_TEST_ORIGIN are required');
  process.exit(2);
}
const { donor } = await startNodeDonor(signalingUrl, testOrigin);
console.log(`ready ${donor.peerId}`);
