// The link proxy the network fault case puts between a tier and the broker: bytes arrive intact and in order
// through delay, jitter and a bandwidth cap; resets drop both sides; a blackout refuses new connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { LinkClock, LinkProxy } from './link-proxy.js';

async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `data` in uneven pieces and collects what comes back until `data.length` bytes (or the socket closes). */
async function roundTrip(s: Socket, data: Buffer): Promise<Buffer> {
  const got: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve) => {
    s.on('data', (b: Buffer) => {
      got.push(b);
      n += b.length;
      if (n >= data.length) resolve();
    });
    s.on('close', () => resolve());
  });
  for (let i = 0, step = 1; i < data.length; i += step, step = (step * 7 + 13) % 40_000 + 1) s.write(data.subarray(i, i + step));
  await done;
  return Buffer.concat(got);
}

test('LinkClock: releases never go back in time, whatever the jitter draws', () => {
  const clock = new LinkClock({ delayMs: 80, jitterMs: 20 });
  const draws = [0.99, 0, 0.5, 0.01, 0.98, 0.2];
  const at = draws.map((r, i) => clock.releaseAt(1000 + i, 100, r));
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! >= at[i - 1]!, `release ${i} (${at[i]}) before ${at[i - 1]}`);
  assert.ok(at.every((t, i) => t >= 1000 + i + 60), `every chunk held at least delay - jitter: ${at.join(', ')}`);
});

test('LinkClock: a bandwidth cap spaces chunks by their size', () => {
  const clock = new LinkClock({ bytesPerSecond: 10_000 });
  const at = Array.from({ length: 10 }, () => clock.releaseAt(0, 1000, 0.5));
  assert.deepEqual(at, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
});

test('LinkClock: connections share the cap of their link, each keeping its own order', () => {
  const wire = { freeAt: 0 };
  const a = new LinkClock({ bytesPerSecond: 10_000, delayMs: 50 }, wire);
  const b = new LinkClock({ bytesPerSecond: 10_000, delayMs: 50 }, wire);
  assert.deepEqual([a.releaseAt(0, 1000, 0), b.releaseAt(0, 1000, 0), a.releaseAt(0, 1000, 0)], [150, 250, 350]);
});

test('bytes cross a delayed, jittery, capped link intact and in order, both ways', async () => {
  const echo = await echoServer();
  const proxy = await LinkProxy.start('127.0.0.1:0', `127.0.0.1:${echo.port}`, {
    up: { delayMs: 20, jitterMs: 15, bytesPerSecond: 4 << 20 },
    down: { delayMs: 20, jitterMs: 15 },
  });
  try {
    const data = randomBytes(600_000);
    const s = await dial(proxy.port);
    const back = await roundTrip(s, data);
    s.destroy();
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), 'the echo differs from what was sent');
    assert.equal(proxy.stats.bytesUp, data.length);
    assert.equal(proxy.stats.bytesDown, data.length);
  } finally {
    await proxy.close();
    echo.server.close();
  }
});

test('a reset destroys both sides; a blackout refuses new connections; then the link works again', async () => {
  const echo = await echoServer();
  const proxy = await LinkProxy.start('127.0.0.1:0', `127.0.0.1:${echo.port}`, { blackoutMs: 60_000 });
  try {
    const s = await dial(proxy.port);
    assert.deepEqual(await roundTrip(s, Buffer.from('hello')), Buffer.from('hello'));
    const closed = new Promise((r) => s.once('close', r));
    proxy.reset();
    await closed;
    assert.equal(proxy.stats.connectionsReset, 1);
    assert.equal(proxy.openConnections, 0);
    const refused = await dial(proxy.port).then(
      (s2) => roundTrip(s2, Buffer.from('x')).then((b) => b.length === 0),
      () => true,
    );
    assert.ok(refused, 'a connection during the blackout carried data');
    assert.equal(proxy.stats.refused, 1);
    proxy.setFaults({});
    proxy.reset(); // a reset with no blackout: the link is usable at once
    const s3 = await dial(proxy.port);
    assert.deepEqual(await roundTrip(s3, Buffer.from('again')), Buffer.from('again'));
    s3.destroy();
  } finally {
    await proxy.close();
    echo.server.close();
  }
});

test('resetEveryMs drops open connections by itself', async () => {
  const echo = await echoServer();
  const proxy = await LinkProxy.start('127.0.0.1:0', `127.0.0.1:${echo.port}`, { resetEveryMs: 100 });
  try {
    const s = await dial(proxy.port);
    await new Promise((r) => s.once('close', r));
    assert.ok(proxy.stats.resets >= 1);
  } finally {
    await proxy.close();
    echo.server.close();
  }
});
