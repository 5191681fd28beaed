'use strict';
// attach: mode local to a running ticker (by pid), and mode remote to a
// headless `gotrace exec` server; tracepoints set with the custom
// setTracepoints request; the target keeps running after a plain disconnect.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./lib');

const TICKER_SRC = path.join(L.fixtureSrcDir('ticker'), 'main.go');
const TICK_LINE = 12;
assert.equal(fs.readFileSync(TICKER_SRC, 'utf8').split('\n')[TICK_LINE - 1], 'func tick(n int) int { return n + 1 }');
const TICKER_REF = { name: 'main.go', path: TICKER_SRC };
const PAUSE_NOTE = 'gotrace never stops the program: pause has no effect; hits keep printing.\n';

function procState(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function setTickTracepoint(s) {
  const r = await s.ok('setTracepoints', { tracepoints: [{ function: 'main\\.tick$' }] });
  assert.deepEqual(r.body, {
    breakpoints: [{ id: r.body.breakpoints[0].id, verified: true, source: TICKER_REF, line: TICK_LINE, message: 'main.tick' }],
  });
  assert.ok(Number.isInteger(r.body.breakpoints[0].id));
}

// Waits for `count` tick hits from index `from` and checks they form the exact
// sequence entry(n), return(n+1), entry(n+1), ... of goroutine 1.
async function checkTickStream(s, from, count = 20) {
  await s.waitMessage((m, i) => s.messages.slice(from).filter((e) => e.event === 'output' && e.body.data).length >= count,
    `${count} tick hits`, 15000, from);
  const hits = s.messages.slice(from).filter((e) => e.type === 'event' && e.event === 'output' && e.body.data);
  const first = hits[0].body.data.kind === 'entry' ? 0 : 1;
  let n = Number(hits[first].body.data.arguments[0].value);
  const got = hits.slice(first, first + count - 2).map((e) => e.body);
  const want = [];
  for (let i = 0; want.length < got.length; i++, n++) {
    want.push(`> goroutine(1): main.tick(${n})\n`);
    want.push(`>> goroutine(1): main.tick => (${n + 1})\n`);
  }
  // A return's duration is the one its data carries.
  const withDurations = want.slice(0, got.length).map((w, i) => (w.startsWith('>>') ? L.withDuration(w, got[i].data) : w));
  assert.deepEqual(got.map((b) => b.output), withDurations);
  for (const b of got) {
    assert.equal(b.category, 'stdout');
    assert.deepEqual(b.source, { path: TICKER_SRC });
    assert.equal(b.line, TICK_LINE);
    assert.equal(b.data.goroutine, 1);
    assert.equal(b.data.function, 'main.tick');
    if (b.data.kind === 'entry') {
      assert.deepEqual(b.data.arguments, [{ name: 'n', type: 'int', value: b.output.match(/\((\d+)\)\n$/)[1] }]);
    } else {
      assert.equal(b.data.kind, 'return');
      assert.deepEqual(b.data.returnValues, [{ name: '~r0', type: 'int', value: b.output.match(/\((\d+)\)\n$/)[1] }]);
    }
  }
}

// After configurationDone: threads, pause (note), disconnect without
// terminating (Delve's words for it: `detached`, said by an attached
// session, or a headless server's port that keeps serving); returns the
// check of what came after the disconnect.
async function threadsPauseDisconnect(s, detached = 'Detaching without terminating target process\n') {
  const th = await s.ok('threads');
  assert.ok(th.body.threads.some((t) => t.id === 1 && /^\[Go 1\]/.test(t.name)), JSON.stringify(th.body));
  const before = s.messages.length;
  await s.ok('pause', { threadId: 1 });
  await s.waitMessage((m) => m.event === 'output' && m.body.output === PAUSE_NOTE, 'pause note', 5000, before);
  assert.equal(s.events('stopped').length, 0, 'gotrace must never send stopped');
  const discIdx = s.messages.length;
  await s.ok('disconnect', { restart: false });
  await s.waitMessage((m) => m.event === 'terminated', 'terminated', 5000, discIdx);
  // Non-hit events around the disconnect: "Detaching", the response, terminated.
  // No more hits after the session ended.
  const n = s.messages.length;
  await L.sleep(300);
  assert.equal(s.messages.length, n, 'messages after terminated');
  const tail = s.messages.slice(discIdx).filter((m) => !(m.event === 'output' && m.body.data));
  // Checked by the caller after the liveness checks.
  return () => assert.deepEqual(tail.map((m) => (m.type === 'event' ? [m.event, m.body] : [m.command, m.success])), [
    ['output', { category: 'console', output: detached }],
    ['disconnect', true],
    ['terminated', {}],
  ]);
}

test('attach local to a running ticker, setTracepoints, disconnect leaves it running', { timeout: 60000 }, async () => {
  const target = L.spawnTracked(L.fixture('ticker-N'), []);
  let srv;
  let s;
  try {
    await L.waitStdout(target, /^ready\n/);
    srv = await L.startDapServer();
    s = await L.Session.tcp(srv.port);
    await s.ok('initialize', L.VSCODE_INIT);
    const attach = s.request('attach', { name: 'Attach to Process', type: 'go', request: 'attach', mode: 'local', processId: target.pid, traceData: true });
    await s.waitEvent('initialized', 20000);
    const ar = await attach;
    assert.equal(ar.success, true, JSON.stringify(ar));
    // Delve 1.27: `capabilities` (it may end the program), no `process`.
    assert.deepEqual(s.messages.slice(0, 4).map((m) => m.event || m.command), ['initialize', 'capabilities', 'initialized', 'attach']);
    assert.deepEqual(s.messages[1].body, { capabilities: { supportTerminateDebuggee: true } });
    const from = s.messages.length;
    await setTickTracepoint(s);
    await s.ok('configurationDone', {});
    await checkTickStream(s, from);
    const checkTail = await threadsPauseDisconnect(s);
    s.assertSchemaValid();
    s.assertSeqNumbers();
    s.close();
    assert.deepEqual(await L.waitExit(srv.proc), { code: 0, signal: null });
    // The ticker is still there, running (not stopped or traced), and not a zombie.
    await L.sleep(200);
    assert.ok(L.isAlive(target.pid), 'ticker died after disconnect');
    assert.equal(target.exited, undefined);
    assert.match(procState(target.pid), /^[RS]$/);
    checkTail();
  } finally {
    if (s) s.close();
    L.kill(srv && srv.proc);
    L.kill(target);
  }
  await L.waitExit(target);
});

test('attach remote to a headless server: two sessions, then terminateDebuggee ends it', { timeout: 60000 }, async () => {
  const srv = await L.startHeadless(L.fixture('ticker-N'));
  let s;
  let pid;
  const deferred = [];
  try {
    for (const round of [1, 2]) {
      s = await L.Session.tcp(srv.port);
      await s.ok('initialize', L.VSCODE_INIT);
      const attach = s.request('attach', { name: 'Connect to server', type: 'go', request: 'attach', mode: 'remote', stopOnEntry: false, traceData: true });
      await s.waitEvent('initialized', 20000);
      const ar = await attach;
      assert.equal(ar.success, true, JSON.stringify(ar));
      // Delve: capabilities {supportTerminateDebuggee} comes before initialized.
      assert.deepEqual(s.messages.slice(0, 4).map((m) => m.event || m.command),
        ['initialize', 'capabilities', 'initialized', 'attach']);
      assert.deepEqual(s.messages[1].body, { capabilities: { supportTerminateDebuggee: true } });
      const [child] = L.childPids(srv.proc.pid);
      if (round === 1) pid = child; else assert.equal(child, pid);
      assert.ok(L.isAlive(pid));
      const from = s.messages.length;
      let traced = true;
      try {
        await setTickTracepoint(s);
      } catch (e) {
        // Keep going to exercise terminateDebuggee; the failure is reported at the end.
        if (round === 1) throw e;
        deferred.push(e);
        traced = false;
      }
      await s.ok('configurationDone', {});
      if (traced) await checkTickStream(s, from);
      if (round === 1) {
        const checkTail = await threadsPauseDisconnect(s,
          `Closing client session, but leaving multi-client DAP server at 127.0.0.1:${srv.port} with debuggee running\n`);
        s.assertSchemaValid();
        s.assertSeqNumbers();
        s.close();
        await L.sleep(300);
        assert.equal(srv.proc.exited, undefined, 'headless --accept-multiclient server exited after a plain disconnect');
        assert.ok(L.isAlive(pid), 'target died after a plain disconnect');
        assert.match(procState(pid), /^[RS]$/);
        try { checkTail(); } catch (e) { deferred.push(e); } // report after round 2
      } else {
        const discIdx = s.messages.length;
        await s.ok('disconnect', { restart: false, terminateDebuggee: true });
        await s.waitMessage((m) => m.event === 'terminated', 'terminated', 5000, discIdx);
        s.assertSchemaValid();
        s.assertSeqNumbers();
        s.close();
        assert.deepEqual(await L.waitExit(srv.proc), { code: 0, signal: null });
        await L.sleep(100);
        assert.equal(L.isAlive(pid), false, 'target still running after terminateDebuggee');
      }
    }
    if (deferred.length) throw deferred[0];
  } finally {
    if (s) s.close();
    L.kill(srv.proc);
    if (pid && L.isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});
