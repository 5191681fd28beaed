// Function breakpoints on a function the compiler inlined: VS Code's function
// breakpoints and setTracepoints cover every inlined copy, as Delve's do.
// inline-O has no out-of-line main.scale (both calls were inlined); inline-N
// keeps real calls.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const L = require('./lib');

const SRC = path.join(L.fixtureSrcDir('inline'), 'main.go');

// Runs `program` with the breakpoints `configure` sets; returns its answer,
// the hit bodies and the stdout text.
async function run(program, configure) {
  const { proc, s } = await L.launchExec(program);
  try {
    const configured = await configure(s);
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 30000);
    const outputs = s.messages.slice(from).filter((m) => m.event === 'output');
    const hits = outputs.filter((m) => m.body.data).map((m) => m.body);
    const stdout = outputs.filter((m) => m.body.category === 'stdout' && !m.body.data).map((m) => m.body.output).join('');
    await L.finishClean(s, proc);
    return { configured, hits, stdout };
  } finally {
    s.close();
    L.kill(proc);
  }
}

// An inlined copy's hit: the function's entry, with the arguments DWARF still
// locates there (k was folded into constants), at the copy's line.
function inlinedHit(x) {
  return {
    category: 'stdout',
    output: `> goroutine(1): main.scale(${x})\n`,
    source: { path: SRC },
    line: 9,
    data: { goroutine: 1, function: 'main.scale', kind: 'entry', arguments: [{ name: 'x', type: 'int', value: `${x}` }] },
  };
}

const withoutTimestamp = (b) => ({ ...b, data: { ...b.data, timestamp: undefined } });

test('setFunctionBreakpoints on a function inlined everywhere traces each inlined copy', { timeout: 60000 }, async () => {
  const r = await run('inline-O', async (s) => (await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.scale' }] })).body);
  assert.deepEqual(r.configured, { breakpoints: [{ id: r.configured.breakpoints[0].id, verified: true, source: { name: 'main.go', path: SRC }, line: 9 }] });
  for (const h of r.hits) assert.match(h.data.timestamp, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(r.hits.map(withoutTimestamp), [inlinedHit(4), inlinedHit(5)].map(withoutTimestamp));
  assert.equal(r.stdout, '12 21\n');
});

test('a condition on an inlined function is checked at each copy', { timeout: 60000 }, async () => {
  const r = await run('inline-O', async (s) => (await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.scale', condition: 'x > 4' }] })).body);
  assert.equal(r.configured.breakpoints[0].verified, true, JSON.stringify(r.configured));
  assert.deepEqual(r.hits.map((h) => h.output), ['> goroutine(1): main.scale(5)\n']);
});

test('setTracepoints matches functions that exist only inlined; -N -l builds trace real calls', { timeout: 60000 }, async () => {
  const o = await run('inline-O', async (s) => (await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.(scale|twice)$' }] })).body);
  assert.deepEqual(o.configured.breakpoints.map((b) => [b.verified, b.message]), [[true, 'main.scale'], [true, 'main.twice']]);
  assert.deepEqual(o.hits.map((h) => L.normDuration(h.output)), [
    '> goroutine(1): main.twice(4)\n',
    '> goroutine(1): main.scale(4)\n',
    '>> goroutine(1): main.twice => (12)\n',
    '> goroutine(1): main.scale(5)\n',
  ]);
  const n = await run('inline-N', async (s) => (await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.scale' }] })).body);
  assert.equal(n.configured.breakpoints[0].verified, true);
  assert.deepEqual(n.hits.map((h) => L.normDuration(h.output)), [
    '> goroutine(1): main.scale(4, 2)\n',
    '>> goroutine(1): main.scale => (12)\n',
    '> goroutine(1): main.scale(5, 3)\n',
    '>> goroutine(1): main.scale => (20)\n',
  ]);
});

test('a function breakpoint on a name that is neither a function nor inlined is unverified', { timeout: 60000 }, async () => {
  const r = await run('inline-O', async (s) => (await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.nosuch' }] })).body);
  assert.deepEqual(r.configured, { breakpoints: [{ verified: false, message: 'location "main.nosuch" not found' }] });
  assert.deepEqual(r.hits, []);
});
