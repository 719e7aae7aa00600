// Prometheus metrics of one signaling server, in a registry of its own (never prom-client's
// global one, so two servers in one process, as in tests, do not collide).
import { Counter, Gauge, Registry } from 'prom-client';
import { clientMessageTypes, signalingErrorCodes, type SignalingErrorCode } from '../protocol/signaling-messages.ts';

/** Why a rate limiter dropped something. */
export type RateLimitScope = 'ip-connection' | 'ip-message' | 'peer-message';

/** The server's counters and gauges. */
export interface SignalingMetrics {
  readonly registry: Registry;
  readonly connectionsTotal: Counter;
  readonly connectionsOpen: Gauge;
  readonly messages: Counter<'type'>;
  readonly refusals: Counter<'code'>;
  readonly donorsOnline: Gauge;
  readonly signalsRelayed: Counter;
  readonly rateLimitDrops: Counter<'scope'>;
  readonly slowConsumerDrops: Counter;
  /** Counts a refusal sent to (or imposed on) a peer. */
  refuse(code: SignalingErrorCode): void;
  /** Counts an inbound message by its type; unknown types share one label to bound cardinality. */
  message(type: string): void;
}

/** Creates the metrics in a fresh registry. */
export function createSignalingMetrics(): SignalingMetrics {
  const registry = new Registry();
  const registers = [registry];
  const prefix = 'porchlight_signaling_';
  const messages = new Counter({
    name: `${prefix}messages_total`,
    help: 'Inbound WebSocket messages by type (invalid: did not parse).',
    labelNames: ['type'] as const,
    registers,
  });
  const refusals = new Counter({
    name: `${prefix}refusals_total`,
    help: 'Errors sent to peers and connections refused, by error code.',
    labelNames: ['code'] as const,
    registers,
  });
  const rateLimitDrops = new Counter({
    name: `${prefix}rate_limit_drops_total`,
    help: 'Connections or messages dropped by a token bucket, by limiter.',
    labelNames: ['scope'] as const,
    registers,
  });
  // Zero-initialize the label sets so dashboards see every series from the first scrape.
  for (const type of [...clientMessageTypes, 'invalid']) messages.inc({ type }, 0);
  for (const code of signalingErrorCodes) refusals.inc({ code }, 0);
  for (const scope of ['ip-connection', 'ip-message', 'peer-message'] satisfies RateLimitScope[]) rateLimitDrops.inc({ scope }, 0);
  const knownTypes = new Set<string>(clientMessageTypes);
  return {
    registry,
    connectionsTotal: new Counter({ name: `${prefix}connections_total`, help: 'WebSocket connections accepted.', registers }),
    connectionsOpen: new Gauge({ name: `${prefix}connections_open`, help: 'WebSocket connections open now.', registers }),
    messages,
    refusals,
    donorsOnline: new Gauge({ name: `${prefix}donors_online`, help: 'Donors announced now.', registers }),
    signalsRelayed: new Counter({ name: `${prefix}signals_relayed_total`, help: 'Signals forwarded to their target.', registers }),
    rateLimitDrops,
    slowConsumerDrops: new Counter({
      name: `${prefix}slow_consumer_drops_total`,
      help: 'Sockets dropped because their queued outbound bytes exceeded the bound.',
      registers,
    }),
    refuse: (code) => refusals.inc({ code }),
    message: (type) => messages.inc({ type: knownTypes.has(type) ? type : 'invalid' }),
  };
}
