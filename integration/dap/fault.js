'use strict';
// Faults on `gotrace dap` (issue 9): the program exits, crashes or is killed
// mid-trace, the client leaves mid-message, gotrace gets SIGTERM/SIGINT.
// Each ends with the exact events a client is shown (or the server's exact
// exit), no program or link of ours left, and a surviving target untouched.
// Run by ctest as dap_fault (label fault); the name keeps it out of the
// dap_integration directory run.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib');
const X = require('./leftovers');

const TICK = ['main.tick'];

// The hit events' texts from index `from`: tick(first), its return, ...;
// `mayEndInside`: the last entry may lack its return. Returns the number of
// complete calls.
function checkTicks(s, from, first, mayEndInside) {
  const hits = s.messages.slice(from).filter((m) => m.type === 'event' && m.event === 'output' && m.body.data);
  if (hits.length % 2 === 1) assert.ok(mayEndInside, `lone entry at the end: ${hits[hits.length - 1].body.output}`);
  hits.forEach((h, i) => {
    const n = first + Math.floor(i / 2);
    const want = i % 2 === 0 ? `> goroutine(1): main.tick(${n})\n`
      : L.withDuration(`>> goroutine(1): main.tick => (${n + 1})\n`, h.body.data);
    assert.equal(h.body.output, want, `hit ${i}`);
  });
  return Math.floor(hits.length / 2);
}

// Non-hit events and responses from index `from`, as [event, body] /
// [command, success].
// Hits and the console's pointer to Delve's commands (said at configurationDone) left out.
const tail = (s, from) => s.messages.slice(from)
  .filter((m) => !(m.event === 'output' && (m.body.data || /^Type 'dlv help'/.test(m.body.output))))
  .map((m) => (m.type === 'event' ? [m.event, m.body] : [m.command, m.success]));

const stderrText = (s) => s.outputs('stderr').map((m) => m.body.output).join('');

async function traceTick(s) {
  const r = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.tick' }] });
  assert.equal(r.body.breakpoints[0].verified, true, JSON.stringify(r.body));
  const from = s.messages.length;
  await s.ok('configurationDone', {});
  return from;
}

const waitHits = (s, from, n) => s.waitMessage(() => s.messages.slice(from).filter((m) => m.event === 'output' && m.body.data).length >= n,
  `${n} hits`, 15000, from);

async function withBpfCheck(fn) {
  const mark = X.bpfMark();
  await fn();
  await X.expectNoBpfLeft(mark);
}

// A ticker-O running on its own and `gotrace dap` attached to it by pid,
// main.tick traced, the first hits in: {target, proc, s, from}. The caller
// kills what is left (cleanup(t)).
async function attachTicker(backend) {
  const t = { target: L.spawnTracked(L.fixture('ticker-O'), []) };
  await L.waitStdout(t.target, /^ready\n/);
  Object.assign(t, await L.startDapServer());
  t.s = await L.Session.tcp(t.port);
  await t.s.ok('initialize', L.VSCODE_INIT);
  const attach = t.s.request('attach', { name: 'a', type: 'go', request: 'attach', mode: 'local', processId: t.target.pid, backend, traceData: true });
  await t.s.waitEvent('initialized', 20000);
  assert.equal((await attach).success, true);
  t.from = await traceTick(t.s);
  await waitHits(t.s, t.from, 4);
  return t;
}

function cleanup(t) {
  if (t.s) t.s.close();
  L.kill(t.proc);
  L.kill(t.target);
}

for (const backend of ['ebpf', 'ptrace']) {
  test(`[${backend}] launched program exits mid-trace: every hit, then exited 3 and terminated`, { timeout: 60000 }, () => withBpfCheck(async () => {
    const { proc, s } = await L.launchExec('faults-N', ['exit', '20'], { backend });
    try {
      const from = await traceTick(s);
      await s.waitEvent('terminated', 20000);
      assert.equal(checkTicks(s, from, 0, false), 20);
      assert.deepEqual(tail(s, from), [
        ['configurationDone', true],
        ['output', { category: 'stdout', output: 'ready\n' }],
        ['exited', { exitCode: 3 }],
        ['terminated', {}],
      ]);
      await L.finishClean(s, proc);
    } finally {
      s.close();
      L.kill(proc);
    }
  }));

  test(`[${backend}] launched program segfaults: the panic on stderr, exited 2`, { timeout: 60000 }, () => withBpfCheck(async () => {
    const { proc, s } = await L.launchExec('faults-N', ['segv', '5'], { backend });
    try {
      const from = await traceTick(s);
      await s.waitEvent('terminated', 20000);
      assert.equal(checkTicks(s, from, 0, false), 5);
      const err = stderrText(s).split('\n');
      assert.equal(err[0], 'panic: runtime error: invalid memory address or nil pointer dereference');
      assert.match(err[1], /^\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x[0-9a-f]+\]$/);
      assert.deepEqual(tail(s, from).filter(([e, b]) => !(e === 'output' && b.category === 'stderr')), [
        ['configurationDone', true],
        ['output', { category: 'stdout', output: 'ready\n' }],
        ['exited', { exitCode: 2 }],
        ['terminated', {}],
      ]);
      await L.finishClean(s, proc);
    } finally {
      s.close();
      L.kill(proc);
    }
  }));

  test(`[${backend}] launched program SIGKILLed mid-trace: exited -9`, { timeout: 60000 }, () => withBpfCheck(async () => {
    const { proc, s } = await L.launchExec('ticker-N', [], { backend });
    try {
      const pid = (await s.waitEvent('process', 5000)).body.systemProcessId;
      const from = await traceTick(s);
      await waitHits(s, from, 6);
      process.kill(pid, 'SIGKILL');
      await s.waitEvent('terminated', 20000);
      assert.ok(checkTicks(s, from, 0, true) >= 3);
      assert.deepEqual(tail(s, from), [
        ['configurationDone', true],
        ['output', { category: 'stdout', output: 'ready\n' }],
        ['exited', { exitCode: -9 }],
        ['terminated', {}],
      ]);
      await L.finishClean(s, proc);
    } finally {
      s.close();
      L.kill(proc);
    }
  }));
}

// attach by pid, then `kill -SEGV` from outside: Go's runtime reports the
// signal and exits with 2; gotrace (not the parent) reports the exit.
test('attached program killed by SIGSEGV from outside: exited, terminated', { timeout: 60000 }, () => withBpfCheck(async () => {
  const t = await attachTicker('ebpf');
  try {
    const { target, proc, s, from } = t;
    process.kill(target.pid, 'SIGSEGV');
    assert.deepEqual(await L.waitExit(target), { code: 2, signal: null });
    assert.equal(target.stderrText.split('\n')[0], 'SIGSEGV: segmentation violation');
    await s.waitEvent('terminated', 20000);
    const hits = s.messages.slice(from).filter((m) => m.event === 'output' && m.body.data);
    checkTicks(s, from, Number(hits[0].body.data.arguments[0].value), true);
    // The status is read from the zombie, if gotrace sees it before node
    // (the parent) reaps it; after that it is unknown (0). fault_rpc_test
    // checks the status where the test controls the reaping.
    const end = tail(s, from).slice(-3);
    assert.ok([0, 2].includes(end[1][1].exitCode), JSON.stringify(end));
    assert.deepEqual(end, [['configurationDone', true], ['exited', { exitCode: end[1][1].exitCode }], ['terminated', {}]]);
    await L.finishClean(s, proc);
  } finally {
    cleanup(t);
  }
}));

// The client dies mid-message: the single-client server ends as on a plain
// disconnect (exit 0); the program it launched dies, one attached by pid
// runs on untouched.
for (const half of ['Content-Len', 'Content-Length: 90\r\n\r\n{"seq":9,"type":"request","command":"thre']) {
  const what = half.includes('\r\n\r\n') ? 'half a body' : 'half a header';
  test(`client leaves after ${what}: launched program killed, server exits 0`, { timeout: 60000 }, () => withBpfCheck(async () => {
    const { proc, s } = await L.launchExec('ticker-N', []);
    try {
      const pid = (await s.waitEvent('process', 5000)).body.systemProcessId;
      const from = await traceTick(s);
      await waitHits(s, from, 4);
      s.socket.write(half);
      s.socket.end();
      assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
      assert.equal(proc.stderrText, '');
      assert.equal(L.isAlive(pid), false, 'launched program survived');
    } finally {
      s.close();
      L.kill(proc);
    }
  }));

  for (const backend of ['ebpf', 'ptrace']) {
    test(`[${backend}] client leaves after ${what}: attached program runs on untouched`, { timeout: 60000 }, () => withBpfCheck(async () => {
      const t = await attachTicker(backend);
      try {
        assert.match(X.textDiff(t.target.pid, L.fixture('ticker-O'), TICK), /^main\.tick\+0x0: file 0x[0-9a-f]{2} memory 0xcc$/);
        t.s.socket.write(half);
        t.s.socket.end();
        assert.deepEqual(await L.waitExit(t.proc), { code: 0, signal: null });
        assert.equal(t.proc.stderrText, '');
        X.expectTargetUntouched(t.target.pid, L.fixture('ticker-O'), TICK);
      } finally {
        cleanup(t);
      }
    }));
  }
}

// SIGTERM / SIGINT to `gotrace dap` mid-trace: it ends with status 0 after
// telling the client what became of the program (console output, then
// terminated) and its own stderr, kills the program it launched and leaves
// one it attached to untouched.
test('SIGTERM to gotrace dap mid-trace: launched program killed, client told', { timeout: 60000 }, () => withBpfCheck(async () => {
  const { proc, s } = await L.launchExec('ticker-N', []);
  try {
    const pid = (await s.waitEvent('process', 5000)).body.systemProcessId;
    const from = await traceTick(s);
    await waitHits(s, from, 4);
    proc.kill('SIGTERM');
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
    const report = `gotrace: interrupted; killed process ${pid}\n`;
    assert.equal(proc.stderrText, report);
    assert.equal(L.isAlive(pid), false, 'launched program survived');
    assert.deepEqual(tail(s, from).slice(-2), [['output', { category: 'console', output: report }], ['terminated', {}]]);
  } finally {
    s.close();
    L.kill(proc);
  }
}));

for (const backend of ['ebpf', 'ptrace']) {
  test(`[${backend}] SIGINT to gotrace dap mid-trace: attached program runs on untouched`, { timeout: 60000 }, () => withBpfCheck(async () => {
    const t = await attachTicker(backend);
    try {
      t.proc.kill('SIGINT');
      assert.deepEqual(await L.waitExit(t.proc), { code: 0, signal: null });
      const report = `gotrace: interrupted; detached from process ${t.target.pid}\n`;
      assert.equal(t.proc.stderrText, report);
      assert.deepEqual(tail(t.s, t.from).slice(-2), [['output', { category: 'console', output: report }], ['terminated', {}]]);
      X.expectTargetUntouched(t.target.pid, L.fixture('ticker-O'), TICK);
    } finally {
      cleanup(t);
    }
  }));
}
