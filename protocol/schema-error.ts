// One short, human-readable line for a schema failure, shared by every parser in protocol/.
import type { z } from 'zod';

/** The first issue of a zod error as `path: message` (errors on the wire stay one line). */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
