// Prometheus metrics of one relayer, in a registry of its own: what it holds to pay gas with, what
// waits in its queue, and what became of each request.
import { Counter, Gauge, Registry } from 'prom-client';

export interface RelayerMetrics {
  readonly registry: Registry;
  readonly queueDepth: Gauge;
  readonly requests: Counter<'kind' | 'outcome'>;
  readonly gasUsed: Counter<'kind'>;
  readonly settledMicroCredits: Counter;
  readonly claimedTokens: Counter;
}

/** Creates the metrics; `balanceWei` is read at each scrape (the relayer's account on chain). */
export function createRelayerMetrics(balanceWei: () => Promise<bigint>): RelayerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const prefix = 'porchlight_relayer_';
  new Gauge({
    name: `${prefix}balance_eth`,
    help: "The relayer account's balance, in the chain's native coin (what it pays gas with).",
    registers,
    async collect() {
      this.set(Number(await balanceWei()) / 1e18);
    },
  });
  return {
    registry,
    queueDepth: new Gauge({ name: `${prefix}queue_depth`, help: 'Requests accepted and not yet answered.', registers }),
    requests: new Counter({ name: `${prefix}requests_total`, help: 'Requests by kind (settle, claim) and outcome (confirmed, or the refusal code).', labelNames: ['kind', 'outcome'] as const, registers }),
    gasUsed: new Counter({ name: `${prefix}gas_used_total`, help: 'Gas used by confirmed transactions, by kind.', labelNames: ['kind'] as const, registers }),
    settledMicroCredits: new Counter({ name: `${prefix}settled_micro_credits_total`, help: 'Micro-credits paid to donors by settlements the relayer sent.', registers }),
    claimedTokens: new Counter({ name: `${prefix}claimed_tokens_total`, help: 'Reward tokens minted to donors by claims the relayer sent.', registers }),
  };
}
