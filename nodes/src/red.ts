/**
 * The slice of the Node-RED runtime API the adapters use. Node-RED ships no
 * types of its own (and @types/node-red lags the 4.x line), so this names
 * exactly what we call — which also documents the contract with the shims.
 */

/** A message as Node-RED passes it between nodes. */
export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type Send = (msg: NodeMessage | Array<NodeMessage | null> | null) => void;
export type Done = (err?: Error) => void;

export interface StatusSpec {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** A running node instance (`this` inside a node constructor). */
export interface RedNode {
  readonly id: string;
  readonly type: string;
  name?: string;
  status(s: StatusSpec | Record<string, never>): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(msg: unknown, m?: NodeMessage): void;
  debug(msg: unknown): void;
  send(msg: NodeMessage | Array<NodeMessage | null> | null): void;
  /** Set by the shim on config nodes: resolves to the config adapter once it is loaded. */
  sentinelReady?: Promise<unknown>;
}

/** The RED object handed to a node module. */
export interface RedApi {
  nodes: { getNode(id: string): RedNode | null };
  settings: { userDir?: string; [key: string]: unknown };
}

/** What every adapter gives back to its shim. */
export interface NodeAdapter {
  input?(msg: NodeMessage, send: Send, done: Done): void;
  /** Release everything this node holds; resolves when it is released. */
  close(removed: boolean): Promise<void>;
}
