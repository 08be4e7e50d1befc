import { describe, expect, it } from 'vitest';
import { hostnameOf, isLoopbackHost } from './host.js';

describe('isLoopbackHost', () => {
  it('knows loopback however it is written: localhost, 127/8, ::1 in any form, IPv4-mapped 127/8', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.9.9.9', '::ffff:7f00:1', '0:0:0:0:0:ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('knows every other address is not: the Host check and the warning depend on it', () => {
    for (const host of ['0.0.0.0', '::', '::ffff:10.0.0.1', '::ffff:0.0.0.0', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.example.com', '']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('reads the host name of a Host header, brackets and port taken off', () => {
    expect(hostnameOf('[::ffff:127.0.0.1]:8080')).toBe('::ffff:127.0.0.1');
    expect(hostnameOf('127.0.0.1:80')).toBe('127.0.0.1');
    expect(hostnameOf(undefined)).toBe('');
  });
});
