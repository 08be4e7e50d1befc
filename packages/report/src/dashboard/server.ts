import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { HptuneError } from '@hptune/core/errors';
import { contentSecurityPolicy, renderPage } from '../html.js';
import { pageAssets } from '../assets.js';
import { hostnameOf, isLoopbackHost } from './host.js';
import { MAX_WATCHED_STUDIES, WatcherHub, type DashboardReads, type DashboardEvent } from './watch.js';

/** The most event streams (open pages) the dashboard serves at once; a further one gets 503. */
export const MAX_EVENT_STREAMS = 64;

/** How long a page may leave its event stream unread before the dashboard closes it, in milliseconds. */
export const SLOW_PAGE_TIMEOUT_MS = 30_000;

/**
 * A page's event stream, respecting backpressure: while the socket's buffer is full (`write`
 * returned false), later events are not queued but kept as the latest of each kind (a newer list
 * or report replaces the older one) and sent on `drain`; a page that reads nothing for
 * {@link SLOW_PAGE_TIMEOUT_MS} is closed. So a page that never reads costs at most one buffered
 * event and a reference to the shared latest ones, not every event since it stopped.
 */
function eventStream(response: ServerResponse): { send: (event: DashboardEvent, data: string) => void; start: () => void } {
  const waiting = new Map<DashboardEvent, string>();
  let started = false;
  let blockedSince: number | undefined;
  const write = (event: DashboardEvent, data: string): boolean => response.write(`event: ${event}\ndata: ${data}\n\n`);
  const flush = () => {
    blockedSince = undefined;
    for (const [event, data] of waiting) {
      waiting.delete(event);
      if (!write(event, data)) {
        blockedSince = performance.now();
        return;
      }
    }
  };
  response.on('drain', flush);
  const timer = setInterval(() => {
    if (blockedSince !== undefined && performance.now() - blockedSince > SLOW_PAGE_TIMEOUT_MS) response.destroy();
  }, Math.min(SLOW_PAGE_TIMEOUT_MS, 5000));
  timer.unref();
  response.on('close', () => clearInterval(timer));
  return {
    send(event, data) {
      if (!started || blockedSince !== undefined) {
        waiting.set(event, data);
        return;
      }
      if (!write(event, data)) blockedSince = performance.now();
    },
    start() {
      started = true;
      flush();
    },
  };
}

/** The address the dashboard listens on unless told otherwise: this machine only. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
/** The dashboard's port unless told otherwise (optuna-dashboard's too). */
export const DEFAULT_DASHBOARD_PORT = 8080;
/** How often the dashboard reads the study store for changes, in milliseconds. */
export const DEFAULT_DASHBOARD_POLL_INTERVAL_MS = 1000;

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The study directory to show. @default `DEFAULT_STUDY_DIR` of `@hptune/core/local` */
  readonly studyDir?: string;
  /** The interface to listen on; anything but loopback exposes every study to the network. @default {@link DEFAULT_DASHBOARD_HOST} */
  readonly host?: string;
  /** 0 picks a free port. @default {@link DEFAULT_DASHBOARD_PORT} */
  readonly port?: number;
  /** @default {@link DEFAULT_DASHBOARD_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
  /** Called when the store could not be read (it is read again at the next poll). */
  readonly onWarning?: (message: string) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** Where to open it, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and ends every open page's event stream. */
  close(): Promise<void>;
}

/**
 * Starts the read-only dashboard: a web page listing the studies of a study directory and showing
 * each one's report, updated within about `pollIntervalMs` while a study runs (server-sent events).
 * It never writes to the store.
 * @throws HptuneError `DASHBOARD_LISTEN_FAILED` when the port is taken or the host cannot be bound.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  const requested = options.port ?? DEFAULT_DASHBOARD_PORT;
  const reads: DashboardReads = { ...(options.studyDir !== undefined ? { studyDir: options.studyDir } : {}), ...(options.onWarning ? { onWarning: options.onWarning } : {}) };
  const page = renderPage({ kind: 'dashboard' });
  const csp = contentSecurityPolicy(pageAssets().script, 'self');
  const watchers = new WatcherHub(reads, options.pollIntervalMs ?? DEFAULT_DASHBOARD_POLL_INTERVAL_MS);
  const streams = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      if (!response.headersSent) send(response, 500, 'text/plain', `hptune dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });

  function handle(request: IncomingMessage, response: ServerResponse): void {
    // A page on another site must not read studies through a name that resolves here (DNS rebinding).
    if (isLoopbackHost(host) && !isLoopbackHost(hostnameOf(request.headers.host))) {
      return send(
        response,
        403,
        'text/plain',
        `hptune dashboard: refused the host name ${JSON.stringify(request.headers.host ?? '')}: this dashboard answers only to this machine's own names, ` +
          `so that a page on another site cannot read your studies through a name that points here; open http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`,
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'the dashboard is read-only\n');
    const url = new URL(request.url ?? '/', 'http://dashboard');
    if (url.pathname === '/') return send(response, 200, 'text/html; charset=utf-8', page, { 'content-security-policy': csp });
    if (url.pathname === '/api/events') {
      if (streams.size >= MAX_EVENT_STREAMS) return send(response, 503, 'text/plain', `the dashboard serves at most ${MAX_EVENT_STREAMS} open pages; close one\n`);
      const stream = eventStream(response);
      const unsubscribe = watchers.subscribe(url.searchParams.get('study') ?? undefined, stream.send);
      if (!unsubscribe) return send(response, 503, 'text/plain', `the dashboard follows at most ${MAX_WATCHED_STUDIES} studies at once; close a page showing another\n`);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      stream.start();
      streams.add(response);
      request.on('close', () => {
        streams.delete(response);
        unsubscribe();
      });
      return;
    }
    return send(response, 404, 'text/plain', 'not found\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HptuneError(
          'DASHBOARD_LISTEN_FAILED',
          error.code === 'EADDRINUSE'
            ? `port ${requested} on ${host} is in use: choose another (--port ${requested + 1}, or --port 0 for any free port)`
            : `cannot listen on ${host}:${requested} (${error.code ?? error.message}): pass --host 127.0.0.1 or another port`,
          { cause: error },
        ),
      ),
    );
    server.listen(requested, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        watchers.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  response.end(body);
}
