import { ValidationError } from '../../errors.js';

/** Where the Vertex AI client connects. */
export interface VertexEndpoint {
  /** The host name or IP address, e.g. `us-central1-aiplatform.googleapis.com`. */
  readonly host: string;
  /** The TCP port. @default 443 */
  readonly port: number;
  /**
   * Plain-text gRPC without Google credentials: only for loopback hosts and `http://` endpoints
   * (the test fixture, a local proxy).
   */
  readonly insecure: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The endpoint of a region (`<region>-aiplatform.googleapis.com:443`), or the `host[:port]` the
 * user gave (`--api-endpoint`); `http://host:port` or a loopback host means plain text.
 * @throws ValidationError when the override is not `host[:port]`.
 */
export function resolveVertexEndpoint(options: { readonly region: string; readonly apiEndpoint?: string }): VertexEndpoint {
  if (!options.apiEndpoint) return { host: `${options.region}-aiplatform.googleapis.com`, port: 443, insecure: false };
  const raw = options.apiEndpoint.trim();
  const plain = raw.startsWith('http://');
  const withoutScheme = raw.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(withoutScheme);
  const port = match?.[2] === undefined ? (plain ? 80 : 443) : Number(match[2]);
  if (!match || port < 1 || port > 65535) {
    throw new ValidationError({
      field: 'apiEndpoint',
      value: options.apiEndpoint,
      problem: 'is not host[:port]',
      fix: `pass e.g. ${options.region}-aiplatform.googleapis.com or 127.0.0.1:8080`,
    });
  }
  const host = match[1] as string;
  return { host, port, insecure: plain || LOOPBACK.has(host) };
}

/** `host:port` of an endpoint, for messages. */
export function formatVertexEndpoint(endpoint: VertexEndpoint): string {
  return `${endpoint.insecure ? 'http://' : ''}${endpoint.host}:${endpoint.port}`;
}
