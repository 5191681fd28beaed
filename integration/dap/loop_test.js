'use strict';
// 100,000 hits: a logpoint on a line inside a loop body (the locals of each
// iteration) and on a function called 100,000 times. Exactly 100,000 output
// events each, in order, and the program runs to the end without a stop.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./lib');

const N = 100000;
const LOOP_SRC = path.join(L.fixtureSrcDir('loop'), 'main.go');
const WORK_LINE = 16;
assert.equal(fs.readFileSync(LOOP_SRC, 'utf8').split('\n')[WORK_LINE - 1], 'func work(a, b int) int { return helper(a) + b }');
const LOOP_REF = { name: 'main.go', path: LOOP_SRC };
// sum of work(i, 1) = (i + 3) + 1 for i in [0, N)
const SUM = (N * (N - 1)) / 2 + 4 * N;

const LINES_SRC = path.join(L.fixtureSrcDir('lines'), 'main.go');
const LINES_REF = { name: 'main.go', path: LINES_SRC };
// Under ASan (GOTRACE_SANITIZED=1) the server is slower than the loop: a
// 64 MiB ring holds all 100,000 hits, so none may still be lost.
const SANITIZED_RING = process.env.GOTRACE_SANITIZED === '1' ? [`--ring-size=${64 << 20}`] : [];
const BODY_LINE = fs.readFileSync(LINES_SRC, 'utf8').split('\n').findIndex((t) => t.includes('// LINE:loop')) + 1;
assert.ok(BODY_LINE > 0);

// Runs `program` under `configure`'s breakpoints; `check(i, body)` returns
// whether hit i is exactly right; `first` is hit 0's complete body (without
// its timestamp); `stdout` matches the program's whole output.
async function runLoop({ program, args, configure, check, first, stdout }) {
  const { proc, s } = await L.launchExec(program, args, {}, SANITIZED_RING);
  try {
    await configure(s);
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 120000);

    const after = s.messages.slice(from);
    const hits = after.filter((m) => m.event === 'output' && m.body.data);
    assert.equal(hits.length, N, `hit events: ${hits.length}`);
    // Exact sequence, without building 100,000 strings to compare at once.
    for (let i = 0; i < N; i++)
      if (!check(i, hits[i].body)) assert.fail(`hit #${i}: ${JSON.stringify(hits[i].body)}`);
    assert.deepEqual(hits[0].body, { ...first, data: { ...first.data, timestamp: hits[0].body.data.timestamp } });
    const others = after.filter((m) => m.type === 'event' && !(m.event === 'output' && m.body.data));
    // The program's output, and the console's pointer to Delve's commands.
    const out = others.filter((m) => m.event === 'output' && !/^Type 'dlv help'/.test(m.body.output));
    assert.ok(out.every((m) => m.body.category === 'stdout'), JSON.stringify(out));
    assert.match(out.map((m) => m.body.output).join(''), stdout);
    assert.deepEqual(others.filter((m) => m.event !== 'output').map((m) => [m.event, m.body]),
      [['exited', { exitCode: 0 }], ['terminated', {}]]);
    await L.finishClean(s, proc);
  } finally {
    s.close();
    L.kill(proc);
  }
}

test('logpoint on a line inside a loop of 100,000 iterations: 100,000 output events with that iteration\'s locals', { timeout: 150000 }, async () => {
  // `total += i` before it runs: total is the sum of 0..i-1.
  const text = (i) => `> [Go 1]: i=${i} total=${(i * (i - 1)) / 2}\n`;
  await runLoop({
    program: 'lines-N',
    args: [String(N)],
    configure: async (s) => {
      const r = await s.ok('setBreakpoints', { source: { ...LINES_REF }, breakpoints: [{ line: BODY_LINE, logMessage: 'i={i} total={total}' }] });
      assert.deepEqual(r.body, { breakpoints: [{ id: 1, verified: true, source: LINES_REF, line: BODY_LINE }] });
    },
    check: (i, b) => b.output === text(i) && b.line === BODY_LINE && b.data.kind === 'line' &&
      b.data.function === 'main.sumTo' && b.data.goroutine === 1 && b.data.locals[0].value === String(i),
    first: {
      category: 'stdout', output: text(0), source: { path: LINES_SRC }, line: BODY_LINE,
      data: { goroutine: 1, function: 'main.sumTo', kind: 'line',
        arguments: [{ name: 'limit', type: 'int', value: String(N) }],
        locals: [{ name: 'i', type: 'int', value: '0' }, { name: 'total', type: 'int', value: '0' }] },
    },
    stdout: new RegExp(`^0 Hello, Ann\\n1 Hello, Bar\\n38\\n${(N * (N - 1)) / 2}\\n$`),
  });
});

for (const [name, configure, text] of [
  ['logpoint on main.work called 100,000 times', async (s) => {
    const r = await s.ok('setBreakpoints', { source: { ...LOOP_REF }, breakpoints: [{ line: WORK_LINE, logMessage: 'work a={a} b={b}' }] });
    assert.deepEqual(r.body, { breakpoints: [{ id: 1, verified: true, source: LOOP_REF, line: WORK_LINE }] });
  }, (i) => `> [Go 1]: work a=${i} b=1\n`],
  ['setTracepoints on ^main\\.work$ with a logMessage and returns:false, 100,000 calls', async (s) => {
    const r = await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.work$', logMessage: 'w {a}', returns: false }] });
    assert.equal(r.body.breakpoints.length, 1);
    assert.equal(r.body.breakpoints[0].verified, true);
    assert.equal(r.body.breakpoints[0].line, WORK_LINE);
  }, (i) => `> [Go 1]: w ${i}\n`],
]) {
  test(`${name}: exactly 100,000 output events`, { timeout: 150000 }, async () => {
    await runLoop({
      program: 'loop-N',
      args: [String(N)],
      configure,
      check: (i, b) => b.output === text(i) && b.data.goroutine === 1 && b.data.function === 'main.work' &&
        b.data.kind === 'entry' && b.line === WORK_LINE && b.source.path === LOOP_SRC &&
        b.data.arguments[0].value === String(i) && b.data.arguments[1].value === '1',
      first: {
        category: 'stdout', output: text(0), source: { path: LOOP_SRC }, line: WORK_LINE,
        data: { goroutine: 1, function: 'main.work', kind: 'entry',
          arguments: [{ name: 'a', type: 'int', value: '0' }, { name: 'b', type: 'int', value: '1' }] },
      },
      stdout: new RegExp(`^calls ${N} sum ${SUM} ns_per_call \\d+\\.\\d\\n$`),
    });
  });
}

// A client that stops reading: the program is not slowed or blocked by it
// (it runs to its end while the client reads nothing), the server buffers a
// bounded amount, and what it had to drop is counted and said in a console
// message once the client reads again: every call is either delivered,
// dropped or lost, never silently missing.
test('a client that stops reading: the program runs on, drops are counted and said', { timeout: 150000 }, async () => {
  const CALLS = 400000;
  const { proc, s } = await L.launchExec('loop-O', [String(CALLS)]);
  try {
    const r = await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.work$', logMessage: 'w {a}', returns: false }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const pid = s.messages.find((m) => m.event === 'process').body.systemProcessId;
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    s.socket.pause();
    // The program ends while nothing is read.
    const deadline = Date.now() + 60000;
    while (L.isAlive(pid) && Date.now() < deadline) await L.sleep(50);
    assert.equal(L.isAlive(pid), false, 'the traced program was held up by a client that does not read');
    s.socket.resume();
    await s.waitEvent('terminated', 120000);
    const after = s.messages.slice(from).filter((m) => m.event === 'output');
    const hits = after.filter((m) => m.body.data);
    const notes = after.filter((m) => m.body.category === 'console' && !m.body.data).map((m) => m.body.output);
    let dropped = 0, lost = 0;
    for (const n of notes) {
      const d = n.match(/^gotrace: (\d+) trace events were dropped: this client did not read them fast enough\n$/);
      const l = n.match(/^gotrace: (\d+) trace events were lost: the kernel's event ring was full\n$/);
      if (n === "Type 'dlv help' for list of commands.\n") continue;
      assert.ok(d || l, `unexpected console output ${JSON.stringify(n)}`);
      if (d) dropped += Number(d[1]);
      if (l) lost += Number(l[1]);
    }
    assert.ok(dropped + lost > 0, `nothing was dropped or lost (${hits.length} hits delivered): the test did not fill the server's queue`);
    assert.equal(hits.length + dropped + lost, CALLS, JSON.stringify({ delivered: hits.length, dropped, lost }));
    console.log(JSON.stringify({ delivered: hits.length, dropped, lost }));
    // What was delivered is in order, each exactly right.
    let prev = -1;
    for (const h of hits) {
      const a = Number(h.body.output.match(/^> \[Go 1\]: w (\d+)\n$/)[1]);
      assert.ok(a > prev, `hit ${a} after ${prev}`);
      prev = a;
    }
    await L.finishClean(s, proc);
  } finally {
    s.close();
    L.kill(proc);
  }
});

// `gotrace dap --ring-size`: the kernel ring the launch gets. One page cannot
// hold a burst of 100,000 hits: the kernel drops what does not fit, and the
// console says how many; every call is delivered or counted lost.
test('gotrace dap --ring-size=4096: the kernel ring is that small, and its losses are said', { timeout: 150000 }, async () => {
  const { proc, s } = await L.launchExec('loop-O', [String(N)], {}, ['--ring-size=4096']);
  try {
    const r = await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.work$', logMessage: 'w {a}', returns: false }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 120000);
    const out = s.messages.slice(from).filter((m) => m.event === 'output');
    const hits = out.filter((m) => m.body.data).length;
    let lost = 0;
    for (const m of out.filter((o) => o.body.category === 'console' && !/^Type 'dlv help'/.test(o.body.output))) {
      const l = m.body.output.match(/^gotrace: (\d+) trace events were lost: the kernel's event ring was full\n$/);
      assert.ok(l, `unexpected console output ${JSON.stringify(m.body.output)}`);
      lost += Number(l[1]);
    }
    if (L.BACKEND === 'ptrace') {
      // The ptrace backend has no kernel ring: its queue is gotrace's own.
      assert.deepEqual([hits, lost], [N, 0]);
    } else {
      assert.ok(lost > 0, `a one-page ring lost nothing of ${N} hits`);
      assert.equal(hits + lost, N);
    }
    await L.finishClean(s, proc);
  } finally {
    s.close();
    L.kill(proc);
  }
});

test('gotrace dap --ring-size that is not a power of two is refused, naming it', { timeout: 30000 }, async () => {
  const proc = L.spawnTracked(L.GOTRACE, ['dap', '--ring-size=5000']);
  assert.deepEqual(await L.waitExit(proc), { code: 1, signal: null });
  assert.equal(proc.stderrText, 'Error: invalid argument "5000" for --ring-size: not a power of two\n');
});
