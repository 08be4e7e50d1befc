import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether `host` only accepts connections from this machine: `localhost`, IPv4 127.0.0.0/8, IPv6
 * `::1` however it is written (`0:0:0:0:0:0:0:1`, `[::1]`), and IPv4-mapped IPv6 loopback
 * (`::ffff:127.0.0.1`, `::ffff:7f00:1`).
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  // The URL parser writes an IPv6 address in its one canonical form (mapped IPv4 in hex).
  const canonical = new URL(`http://[${bare}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** The host name of a `Host` header, without its port (`[::1]:8080` gives `::1`). */
export function hostnameOf(header: string | undefined): string {
  if (!header) return '';
  const bracketed = /^\[([^\]]+)\]/.exec(header);
  if (bracketed) return bracketed[1] as string;
  return header.replace(/:\d+$/, '');
}
