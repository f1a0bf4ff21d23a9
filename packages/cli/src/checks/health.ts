export const COMPONENTS = ['kafka', 'redis', 'topics', 'warehouse', 'services'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** One line of `probity doctor`: healthy or not, and when not, what to run. */
export interface ComponentHealth {
  component: ComponentName;
  healthy: boolean;
  /** What was seen when healthy; the problem and the fix when not. */
  message: string;
  /** Where the component was looked for (address, URL or directory). */
  target: string;
  latencyMs?: number;
  version?: string;
  details?: Record<string, unknown>;
}

export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
