'use strict';
// A logpoint on a function called 100,000 times: exactly 100,000 output
// events, in order, and the program runs to the end without ever stopping.
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

async function runLoop(configure, expectLine) {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    const launch = s.request('launch', { name: 'loop', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('loop-N'), args: [String(N)] });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    await configure(s);
    const from = s.messages.length;
    const started = Date.now();
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 120000);
    const elapsed = Date.now() - started;

    const after = s.messages.slice(from);
    const hits = after.filter((m) => m.event === 'output' && m.body.data);
    assert.equal(hits.length, N, `hit events: ${hits.length}`);
    // Exact sequence, without building 100,000 strings to compare at once.
    for (let i = 0; i < N; i++) {
      const b = hits[i].body;
      if (b.output !== expectLine(i) || b.data.goroutine !== 1 || b.data.function !== 'main.work' ||
          b.data.kind !== 'entry' || b.line !== WORK_LINE || b.source.path !== LOOP_SRC ||
          b.data.arguments[0].value !== String(i) || b.data.arguments[1].value !== '1') {
        assert.fail(`hit #${i}: ${JSON.stringify(b)}`);
      }
    }
    assert.deepEqual(hits[0].body, {
      category: 'console', output: expectLine(0), source: LOOP_REF, line: WORK_LINE,
      data: { goroutine: 1, function: 'main.work', kind: 'entry', timestamp: hits[0].body.data.timestamp,
        arguments: [{ name: 'a', type: 'int', value: '0' }, { name: 'b', type: 'int', value: '1' }] },
    });
    const others = after.filter((m) => m.type === 'event' && !(m.event === 'output' && m.body.data));
    assert.equal(others.length, 3, JSON.stringify(others));
    assert.equal(others[0].event, 'output');
    assert.equal(others[0].body.category, 'stdout');
    assert.match(others[0].body.output, new RegExp(`^calls ${N} sum ${SUM} ns_per_call \\d+\\.\\d\\n$`));
    assert.deepEqual(others.slice(1).map((m) => [m.event, m.body]), [['exited', { exitCode: 0 }], ['terminated', undefined]]);
    assert.equal(s.events('stopped').length, 0);
    s.assertSchemaValid();
    s.assertSeqNumbers();
    await s.ok('disconnect', {});
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
    return elapsed;
  } finally {
    s.close();
    L.kill(proc);
  }
}

test('logpoint on main.work called 100,000 times: exactly 100,000 output events', { timeout: 150000 }, async () => {
  await runLoop(async (s) => {
    const r = await s.ok('setBreakpoints', { source: { ...LOOP_REF }, breakpoints: [{ line: WORK_LINE, logMessage: 'work a={a} b={b}' }] });
    assert.deepEqual(r.body, { breakpoints: [{ id: 1, verified: true, source: LOOP_REF, line: WORK_LINE }] });
  }, (i) => `> [Go 1]: work a=${i} b=1\n`);
});

test('setTracepoints on ^main\\.work$ with a logMessage and returns:false, 100,000 calls', { timeout: 150000 }, async () => {
  await runLoop(async (s) => {
    const r = await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.work$', logMessage: 'w {a}', returns: false }] });
    assert.equal(r.body.breakpoints.length, 1);
    assert.equal(r.body.breakpoints[0].verified, true);
    assert.equal(r.body.breakpoints[0].line, WORK_LINE);
  }, (i) => `> [Go 1]: w ${i}\n`);
});
