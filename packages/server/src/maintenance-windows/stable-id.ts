import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts: the same parts give the same id. The scheduler names a window's
 * execution after (window, scheduled time), a task's execution after (window execution, task) and an invocation
 * after (task execution, instance), so a step repeated after a crash finds the record it wrote before instead of
 * writing a second one.
 */
export function stableId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
