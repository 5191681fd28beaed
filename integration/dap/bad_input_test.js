'use strict';
// Bad input: failed launches, unknown commands, bad logMessages and broken
// framing. Every answer is checked against the DAP schema.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const L = require('./lib');
const T = require('./trace_common');

async function withServer(fn) {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    await fn(s, proc);
    s.assertSchemaValid();
    s.assertSeqNumbers();
  } finally {
    s.close();
    L.kill(proc);
  }
}

// Disconnect before any successful launch: response then terminated (dap-04), server exits 0.
async function disconnectAndExit(s, proc) {
  const idx = s.messages.length;
  await s.ok('disconnect', {});
  await s.waitMessage((m) => m.event === 'terminated', 'terminated', 5000, idx);
  s.close();
  assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
}

test('launch of a missing program fails with "Failed to launch" naming the path', { timeout: 30000 }, async () => {
  await withServer(async (s, proc) => {
    const missing = path.join(L.FIXTURES, 'no-such-program');
    const r = await s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: missing });
    assert.equal(r.success, false);
    assert.equal(r.command, 'launch');
    assert.equal(r.message, 'Failed to launch');
    assert.equal(r.body.error.id, 3000);
    assert.equal(r.body.error.showUser, true);
    assert.match(r.body.error.format, /^Failed to launch: could not launch process: /);
    assert.ok(r.body.error.format.includes(missing), r.body.error.format);
    // No initialized/process event for a failed launch.
    assert.deepEqual(s.events().map((e) => e.event), []);
    await disconnectAndExit(s, proc);
  });
});

test('launch debug of a missing package directory names that directory', { timeout: 30000 }, async () => {
  await withServer(async (s, proc) => {
    const missing = path.join(L.FIXTURES, 'no-such-dir', 'pkg');
    const r = await s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'debug', program: missing });
    assert.equal(r.success, false);
    assert.equal(r.message, 'Failed to launch');
    assert.ok(r.body.error.format.includes(missing), r.body.error.format);
    await disconnectAndExit(s, proc);
  });
});

test('launch of a file that is not a Go program, or without a program: the error says which', { timeout: 30000 }, async () => {
  const readme = path.join(L.SOURCE, 'README.md');
  for (const [args, format] of [
    [{ mode: 'exec', program: '/bin/true' }, 'Failed to launch: could not launch process: not a Go binary (no .go.buildinfo or .gopclntab): /bin/true'],
    [{ mode: 'exec', program: readme }, `Failed to launch: could not launch process: not an ELF file: ${readme}`],
    [{ mode: 'exec' }, 'Failed to launch: The program attribute is missing in debug configuration.'],
  ]) {
    await withServer(async (s, proc) => {
      const r = await s.request('launch', { name: 'x', type: 'go', request: 'launch', ...args });
      assert.deepEqual([r.success, r.message, r.body], [false, 'Failed to launch', { error: { id: 3000, format, showUser: true } }]);
      // The session goes on: a good launch still works.
      const ok = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N') });
      await s.waitEvent('initialized', 20000);
      assert.equal((await ok).success, true);
      await s.ok('disconnect', {});
      s.close();
      await L.waitExit(proc);
    });
  }
});

test('launch with a bad mode: Delve\'s exact message', { timeout: 30000 }, async () => {
  await withServer(async (s, proc) => {
    const r = await s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'bogus', program: L.fixture('dlvprog-N') });
    assert.equal(r.success, false);
    assert.equal(r.message, 'Failed to launch');
    assert.deepEqual(r.body, { error: { id: 3000, format: 'Failed to launch: invalid debug configuration - unsupported \'mode\' attribute "bogus"', showUser: true } });
    await disconnectAndExit(s, proc);
  });
});

test('launch/attach with a backend gotrace does not have: the error names it, the session goes on', { timeout: 60000 }, async () => {
  await withServer(async (s, proc) => {
    const want = (cmd, id) => ({
      error: { id, format: `Failed to ${cmd}: invalid debug configuration - unsupported 'backend' attribute "lldb": must be ebpf, ptrace or auto`, showUser: true },
    });
    let r = await s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N'), backend: 'lldb' });
    assert.equal(r.success, false);
    assert.deepEqual(r.body, want('launch', 3000));
    r = await s.request('attach', { name: 'x', type: 'go', request: 'attach', mode: 'local', processId: process.pid, backend: 'lldb' });
    assert.equal(r.success, false);
    assert.deepEqual(r.body, want('attach', 3001));
    // The same session still launches with a backend it has.
    const launch = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N'), backend: L.BACKEND });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    await disconnectAndExit(s, proc);
  });
});

test('unknown command: error response, the session continues', { timeout: 30000 }, async () => {
  await withServer(async (s, proc) => {
    const r = await s.request('fooBar', { x: 1 });
    assert.equal(r.success, false);
    assert.equal(r.type, 'response');
    assert.ok(typeof r.message === 'string' && r.message.length > 0);
    assert.ok(r.body.error.format.includes('fooBar'), r.body.error.format);
    const th = await s.ok('threads');
    assert.ok(Array.isArray(th.body.threads));
    // Still usable for a real session afterwards.
    const launch = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N') });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 20000);
    assert.deepEqual(s.outputs('stdout').map((e) => e.body.output), ['sum 61\n']);
    await disconnectAndExit(s, proc);
  });
});

test('logMessage with {} or unbalanced braces: verified:false with the parse message', { timeout: 30000 }, async () => {
  await withServer(async (s, proc) => {
    const launch = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N') });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    const msgs = ['empty {}', 'open {x', 'close x}', 'nested {{x}', 'ok {x}'];
    const r = await s.ok('setBreakpoints', { source: { ...T.SRC_REF }, breakpoints: msgs.map((logMessage) => ({ line: T.FOO_LINE, logMessage })) });
    const bps = r.body.breakpoints;
    assert.equal(bps.length, msgs.length);
    for (const [i, bp] of bps.slice(0, 4).entries()) {
      assert.equal(bp.verified, false, `${msgs[i]}: ${JSON.stringify(bp)}`);
      assert.ok(typeof bp.message === 'string' && bp.message.length > 0, `${msgs[i]}: ${JSON.stringify(bp)}`);
    }
    // Delve's messages (service/dap/server.go parseLogPoint).
    assert.match(bps[0].message, /empty evaluation string/, bps[0].message);
    assert.match(bps[1].message, /invalid log point format/, bps[1].message);
    assert.match(bps[2].message, /invalid log point format/, bps[2].message);
    assert.equal(bps[4].verified, true, JSON.stringify(bps[4]));
    await s.ok('disconnect', { terminateDebuggee: true });
  });
});

// ---- framing over a raw socket ------------------------------------------------------------------

function frame(obj) {
  const json = typeof obj === 'string' ? obj : JSON.stringify(obj);
  return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

function parseFrames(text) {
  const out = [];
  let rest = Buffer.from(text);
  for (;;) {
    const idx = rest.indexOf('\r\n\r\n');
    if (idx < 0) break;
    const m = rest.subarray(0, idx).toString().match(/^Content-Length: (\d+)$/);
    assert.ok(m, `bad header from the server: ${JSON.stringify(rest.subarray(0, idx).toString())}`);
    const len = Number(m[1]);
    out.push(JSON.parse(rest.subarray(idx + 4, idx + 4 + len).toString()));
    rest = rest.subarray(idx + 4 + len);
  }
  assert.equal(rest.length, 0, 'trailing bytes from the server');
  return out;
}

// Writes bytes to a fresh server; returns {messages, closed, exit} after `wait` ms.
async function raw(bytes, wait = 1000) {
  const { proc, port } = await L.startDapServer();
  const sock = net.createConnection(port, '127.0.0.1');
  let got = '';
  let closed = false;
  sock.on('data', (d) => { got += d; });
  sock.on('close', () => { closed = true; });
  sock.on('error', () => {});
  await new Promise((r) => sock.on('connect', r));
  sock.write(bytes);
  const deadline = Date.now() + wait;
  while (!closed && Date.now() < deadline) await L.sleep(20);
  const closedByServer = closed;
  sock.destroy();
  let exit;
  try { exit = await L.waitExit(proc, 5000); } finally { L.kill(proc); }
  const messages = parseFrames(got);
  for (const m of messages) assert.deepEqual(L.validateMessage(m), [], JSON.stringify(m));
  return { messages, closed: closedByServer, exit };
}

const INIT = { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } };

const closingCases = [
  ['bad JSON', 'Content-Length: 9\r\n\r\n{not json', 'gotrace: closing the DAP connection: invalid JSON body: syntax error\n'],
  ['Content-Length too short', `Content-Length: 10\r\n\r\n${JSON.stringify(INIT)}`, 'gotrace: closing the DAP connection: invalid JSON body: incomplete JSON\n'],
  ['non-numeric Content-Length', `Content-Length: abc\r\n\r\n${JSON.stringify(INIT)}`, 'gotrace: closing the DAP connection: invalid Content-Length "abc"\n'],
  ['negative Content-Length', `Content-Length: -5\r\n\r\n${JSON.stringify(INIT)}`, 'gotrace: closing the DAP connection: negative Content-Length -5\n'],
  ['no Content-Length header', `${JSON.stringify(INIT)}\r\n\r\n`, 'gotrace: closing the DAP connection: missing Content-Length header\n'],
  ['huge Content-Length', `Content-Length: 99999999999999999999\r\n\r\n${JSON.stringify(INIT)}`, 'gotrace: closing the DAP connection: Content-Length 99999999999999999999 exceeds the limit of 67108864 bytes\n'],
];

for (const [name, bytes, note] of closingCases) {
  test(`framing: ${name} → stderr output event, then the server closes and exits`, { timeout: 30000 }, async () => {
    const r = await raw(bytes);
    assert.equal(r.closed, true, 'server kept the connection open');
    assert.deepEqual(r.messages, [{ seq: 1, type: 'event', event: 'output', body: { category: 'stderr', output: note } }]);
    assert.deepEqual(r.exit, { code: 0, signal: null });
  });
}

test('framing: Content-Length too long → the server waits for the rest; closing ends it', { timeout: 30000 }, async () => {
  const r = await raw(`Content-Length: 9999\r\n\r\n${JSON.stringify(INIT)}`, 700);
  assert.equal(r.closed, false);
  assert.deepEqual(r.messages, []);
  assert.deepEqual(r.exit, { code: 0, signal: null });
});

// Not a DAP message at all: there is no seq to answer to (a response's
// request_seq must be >= 1), so the server says why and closes.
test('framing: a JSON array instead of an object → stderr output, then the connection closes', { timeout: 30000 }, async () => {
  const r = await raw(frame('[]') + frame({ ...INIT, seq: 2 }), 700);
  assert.equal(r.closed, true);
  assert.equal(r.messages.length, 1);
  assert.deepEqual(r.messages[0], {
    seq: 1, type: 'event', event: 'output',
    body: { category: 'stderr', output: 'gotrace: closing the DAP connection: a message must be a JSON object, got array\n' },
  });
});

test('framing: valid JSON that is not a request → error response, the connection stays usable', { timeout: 30000 }, async () => {
  const bad = [
    ['{"seq":1,"type":"response"}', 1, 'Invalid request: "type" must be "request", got "response"'],
    ['{"seq":1,"type":"request"}', 1, 'Invalid request: missing field "command"'],
  ];
  const r = await raw(bad.map(([j]) => frame(j)).join('') + frame({ ...INIT, seq: 2 }), 700);
  assert.equal(r.closed, false);
  assert.deepEqual(r.messages.slice(0, 2), bad.map(([, rs, fmt], i) => ({
    seq: i + 1, type: 'response', request_seq: rs, success: false, command: '', message: 'Invalid request',
    body: { error: { id: 1001, format: fmt, showUser: false } },
  })));
  assert.equal(r.messages.length, 3);
  assert.equal(r.messages[2].command, 'initialize');
  assert.equal(r.messages[2].success, true);
  assert.equal(r.messages[2].request_seq, 2);
});

test('framing: several requests in one write, and a request split byte by byte', { timeout: 30000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const sock = net.createConnection(port, '127.0.0.1');
  let got = '';
  sock.on('data', (d) => { got += d; });
  await new Promise((r) => sock.on('connect', r));
  try {
    const bytes = Buffer.from(frame(INIT) + frame({ seq: 2, type: 'request', command: 'threads' }));
    for (const b of bytes.subarray(0, 40)) { sock.write(Buffer.from([b])); await L.sleep(1); }
    sock.write(bytes.subarray(40));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try { if (parseFrames(got).length >= 2) break; } catch { /* incomplete */ }
      await L.sleep(20);
    }
    const msgs = parseFrames(got);
    assert.deepEqual(msgs.map((m) => [m.seq, m.request_seq, m.command, m.success]), [[1, 1, 'initialize', true], [2, 2, 'threads', true]]);
    for (const m of msgs) assert.deepEqual(L.validateMessage(m), []);
  } finally {
    sock.destroy();
    await L.waitExit(proc, 5000).catch(() => {});
    L.kill(proc);
  }
});

test('after a framing error a new server still works', { timeout: 60000 }, async () => {
  const r = await raw('Content-Length: 9\r\n\r\n{not json');
  assert.equal(r.closed, true);
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    const launch = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N'), traceData: true });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    await T.configureDlvprog(s);
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 20000);
    T.checkDlvprogRun(s, { firstEventIndex: from });
    await s.ok('disconnect', {});
    s.assertSchemaValid();
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
  } finally {
    s.close();
    L.kill(proc);
  }
});

// Mistyped launch/attach arguments are named, field path and all.
test('launch/attach with mistyped arguments: the error names the field', { timeout: 30000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    const l = await s.request('launch', { mode: 'exec', program: L.fixture('demo-O'), args: ['a', 3] }, 10000);
    assert.equal(l.success, false);
    assert.deepEqual(l.body.error, {
      id: 3000, showUser: true,
      format: 'Failed to launch: invalid debug configuration - launch.arguments.args[1]: expected string, got number',
    });
    const a = await s.request('attach', { mode: 'local', processId: 'x12' }, 10000);
    assert.equal(a.success, false);
    assert.deepEqual(a.body.error, {
      id: 3001, showUser: true,
      format: 'Failed to attach: invalid debug configuration - attach.arguments.processId: expected integer or numeric string, got "x12"',
    });
    s.assertSchemaValid();
    s.close();
  } finally {
    L.kill(proc);
  }
});
