// What the exit asks of a meter (metering/donor-meter.ts implements it): may these body bytes go?

/**
 * Meters body bytes per client, request bodies as they arrive and responses before they are sent:
 * `take` resolves when `bytes` may go (a per-person rate limit waits here) and throws
 * {@link ExitCapReached} when the donor's data cap is used up (the request is reset, at most one
 * chunk past the cap).
 */
export interface ExitMeter {
  take(client: string, bytes: number, signal: AbortSignal): Promise<void> | void;
}

/** Thrown by an {@link ExitMeter} when the donor's cap is reached; `message` is for the client. */
export class ExitCapReached extends Error {
  constructor(message = 'This donor has shared all the data it allows for now. Try another donor.') {
    super(message);
    this.name = 'ExitCapReached';
  }
}
