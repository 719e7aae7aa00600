// Test builds only: lets a suite drive the extension from a plain loopback page, where a browser
// automation protocol cannot open the extension's own pages (Firefox: no moz-extension:// targets).
// The bridge's content script frames an extension page (test-bridge-frame.html) into the test
// origin's /test-bridge page; the page posts requests to that frame, which acts with the full
// extension API (a content script cannot read storage.session in Firefox) and posts answers back.
// Production builds contain neither entrypoint (wxt.config.ts skips them).
import { z } from 'zod';
import { donorSettingsSchema, type DonorSettings } from '../settings/donor-settings.ts';
import type { DonorStatus } from '../protocol/runtime-messages.ts';

/** Marks the bridge's messages among whatever else a page posts. */
export const testBridgeTag = 'porchlight-test-bridge';
/** The path of the test page the content script frames the bridge into (on the build's test origin). */
export const testBridgePath = '/test-bridge';
/** The extension page that answers (an unlisted page, web-accessible in test builds only). */
export const testBridgeFramePath = '/test-bridge-frame.html';
/** The attribute that marks the bridge's frame, so the page can find it. */
export const testBridgeFrameAttribute = 'data-porchlight-test-bridge';

const requestSchema = z.strictObject({
  tag: z.literal(testBridgeTag),
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  command: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('update-settings'), patch: donorSettingsSchema.partial() }),
    z.strictObject({ type: z.literal('read-settings') }),
    z.strictObject({ type: z.literal('read-status') }),
  ]),
});

/** A command a test page may send. */
export type TestBridgeCommand = z.infer<typeof requestSchema>['command'];

/** What the frame posts to the page: that it is ready, or an answer to a request. */
export type TestBridgeMessage =
  | { tag: typeof testBridgeTag; kind: 'ready' }
  | { tag: typeof testBridgeTag; kind: 'response'; id: number; ok: true; value: DonorSettings | DonorStatus }
  | { tag: typeof testBridgeTag; kind: 'response'; id: number; ok: false; error: string };

/** A request posted by the page, or undefined for anything else. */
export function parseTestBridgeRequest(data: unknown): { id: number; command: TestBridgeCommand } | undefined {
  const result = requestSchema.safeParse(data);
  return result.success ? { id: result.data.id, command: result.data.command } : undefined;
}

/** The extension side a command acts on. */
export interface TestBridgeTarget {
  updateSettings(patch: Partial<DonorSettings>): Promise<DonorSettings>;
  readSettings(): Promise<DonorSettings>;
  readStatus(): Promise<DonorStatus>;
}

/** Runs one command; never throws (a failure becomes an `ok: false` answer). */
export async function answerTestBridge(id: number, command: TestBridgeCommand, target: TestBridgeTarget): Promise<TestBridgeMessage> {
  try {
    const value =
      command.type === 'update-settings' ? await target.updateSettings(command.patch) : command.type === 'read-settings' ? await target.readSettings() : await target.readStatus();
    return { tag: testBridgeTag, kind: 'response', id, ok: true, value };
  } catch (error) {
    return { tag: testBridgeTag, kind: 'response', id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * In the bridge frame: answers requests its parent page posts from `origin` (the build's test
 * origin, nothing else), says it is ready, and stops when `signal` aborts.
 */
export function serveTestBridge(frame: Window, origin: string, target: TestBridgeTarget, signal: AbortSignal): void {
  const parent = frame.parent;
  frame.addEventListener(
    'message',
    (event: MessageEvent) => {
      if (event.source !== parent || event.origin !== origin) return;
      const request = parseTestBridgeRequest(event.data);
      if (!request) return;
      void answerTestBridge(request.id, request.command, target).then((answer) => parent.postMessage(answer, origin));
    },
    { signal },
  );
  const ready: TestBridgeMessage = { tag: testBridgeTag, kind: 'ready' };
  parent.postMessage(ready, origin);
}
