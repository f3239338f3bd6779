/**
 * Errors carry a stable code; callers branch on `code`, never on message text.
 */
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_CONFIG_FILE'
  | 'E_MODEL_LOAD'
  | 'E_MODEL_SHAPE'
  | 'E_MODEL_CARD'
  | 'E_DECODE'
  | 'E_STATE'
  | 'E_DEADLINE'
  | 'E_OUTBOX'
  | 'E_EGRESS'
  | 'E_LM'
  | 'E_HISTORY'
  | 'E_USAGE'
  /** A remote command bundle refused (see RefusalReason in agent/fleet/bundle.ts). */
  | 'E_BUNDLE'
  /** An accepted bundle that could not be applied (the previous version stays). */
  | 'E_FLEET_APPLY';

export class EdgeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgeError';
    this.code = code;
  }
}

export function isEdgeError(err: unknown, code?: ErrorCode): err is EdgeError {
  return err instanceof EdgeError && (code === undefined || err.code === code);
}

/** Best-effort message of an unknown thrown value, for logs. */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
