import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { socksAddress } from '../../src/sftp/tunnel';

// The destination of a SOCKS5 CONNECT (RFC 1928 section 5): the address type byte, then the address.

describe('SOCKS5 destination address', () => {
  it('IPv4 is type 1 with four bytes', () => {
    assert.deepEqual([...socksAddress('10.1.2.254')], [1, 10, 1, 2, 254]);
  });

  it('IPv6 is type 4 with sixteen bytes, :: expanded', () => {
    assert.deepEqual([...socksAddress('::1')], [4, ...Array(15).fill(0), 1]);
    assert.deepEqual(
      [...socksAddress('2001:db8::8a2e:370:7334')],
      [4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34],
    );
  });

  it('a host name is type 3 with its length, for the proxy to resolve; over 255 bytes is refused', () => {
    assert.deepEqual([...socksAddress('sftp.example')], [3, 12, ...Buffer.from('sftp.example')]);
    assert.throws(() => socksAddress(`${'a'.repeat(250)}.example`), /too long for SOCKS5/);
  });
});
