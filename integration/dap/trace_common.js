'use strict';
// The dlvprog session of Delve's dap-01 transcript, adapted to gotrace: a
// logpoint on foo's first line plus function breakpoints on main.worker and
// main.nosuch, and the exact output it must produce.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./lib');

const DLVPROG_SRC = path.join(L.fixtureSrcDir('dlvprog'), 'main.go');
const SRC_REF = { name: 'main.go', path: DLVPROG_SRC };

// Lines of dlvprog/main.go, checked so a fixture edit fails loudly here.
const FOO_LINE = 17;
const WORKER_LINE = 32;
const WORKER_RETURN_LINE = 36;
{
  const lines = fs.readFileSync(DLVPROG_SRC, 'utf8').split('\n');
  assert.equal(lines[FOO_LINE - 1], 'func foo(x, y int) (z int) {');
  assert.equal(lines[WORKER_LINE - 1], 'func worker(id int, wg *sync.WaitGroup) {');
  assert.equal(lines[WORKER_RETURN_LINE - 1], '}');
}

// VS Code's configuration phase after `initialized`; returns the responses.
async function configureDlvprog(s) {
  const bps = await s.ok('setBreakpoints', {
    source: { ...SRC_REF },
    breakpoints: [{ line: FOO_LINE, logMessage: 'foo called x={x} y={y}' }],
    lines: [FOO_LINE], sourceModified: false,
  });
  assert.deepEqual(bps.body, {
    breakpoints: [{ id: 1, verified: true, source: SRC_REF, line: FOO_LINE }],
  });
  const fbps = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.worker' }, { name: 'main.nosuch' }] });
  assert.deepEqual(fbps.body, {
    breakpoints: [
      { id: 2, verified: true, source: SRC_REF, line: WORKER_LINE },
      { verified: false, message: 'location "main.nosuch" not found' },
    ],
  });
  return { bps, fbps };
}

const normAddr = (s) => s.replace(/0x[0-9a-f]+/g, '0xADDR');

// Checks a hit's output event in full (text, source, line, data).
function checkHit(ev) {
  const b = ev.body;
  assert.equal(b.category, 'stdout', JSON.stringify(b));
  assert.deepEqual(b.source, { path: DLVPROG_SRC });
  const d = b.data;
  assert.ok(d && Number.isInteger(d.goroutine) && d.goroutine > 0, JSON.stringify(b));
  assert.match(d.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  if (d.function === 'main.foo') {
    assert.equal(d.kind, 'entry');
    assert.equal(b.line, FOO_LINE);
    const [x, y] = d.arguments;
    assert.deepEqual(d.arguments, [{ name: 'x', type: 'int', value: x.value }, { name: 'y', type: 'int', value: y.value }]);
    assert.equal(b.output, `> [Go ${d.goroutine}]: foo called x=${x.value} y=${y.value}\n`);
  } else if (d.function === 'main.worker' && d.kind === 'entry') {
    assert.equal(b.line, WORKER_LINE);
    assert.equal(d.arguments.length, 2);
    assert.deepEqual(d.arguments[0], { name: 'id', type: 'int', value: d.arguments[0].value });
    assert.equal(d.arguments[1].name, 'wg');
    assert.equal(d.arguments[1].type, '*sync.WaitGroup');
    assert.match(d.arguments[1].value, /^\(\*sync\.WaitGroup\)\(0x[0-9a-f]+\)$/);
    assert.equal(b.output, `> goroutine(${d.goroutine}): main.worker(${d.arguments[0].value}, ${d.arguments[1].value})\n`);
  } else if (d.function === 'main.worker' && d.kind === 'return') {
    assert.equal(b.line, WORKER_RETURN_LINE);
    assert.deepEqual(d.returnValues, []);
    assert.equal(b.output, L.withDuration(`>> goroutine(${d.goroutine}): main.worker => ()\n`, d));
  } else {
    assert.fail(`unexpected hit ${JSON.stringify(b)}`);
  }
}

// Asserts the complete output of the dlvprog run: trace lines of goroutine 1
// in order, the per-goroutine sequences of the two workers as a set, the
// program's stdout, and exited/terminated at the end.
function checkDlvprogRun(s, { firstEventIndex }) {
  const after = s.messages.slice(firstEventIndex);
  const events = after.filter((m) => m.type === 'event');
  const outputs = events.filter((e) => e.event === 'output');
  const hits = outputs.filter((e) => e.body.data);
  // Besides the hits, the console says only where Delve's commands are (the
  // note about stopping is only for plain breakpoints).
  assert.deepEqual(outputs.filter((e) => e.body.category === 'console' && !/^Type 'dlv help'/.test(e.body.output))
    .map((e) => e.body.output), []);
  hits.forEach(checkHit);

  const byG = new Map();
  for (const e of hits) {
    const g = e.body.data.goroutine;
    if (!byG.has(g)) byG.set(g, []);
    byG.get(g).push(L.normDuration(e.body.output));
  }
  assert.deepEqual(byG.get(1), [
    '> [Go 1]: foo called x=0 y=10\n',
    '> [Go 1]: foo called x=1 y=11\n',
    '> [Go 1]: foo called x=2 y=12\n',
  ]);
  const workers = [...byG.keys()].filter((g) => g !== 1);
  assert.equal(workers.length, 2, `worker goroutines: ${JSON.stringify([...byG.keys()])}`);
  const seqs = workers.map((g) => byG.get(g).map((o) => normAddr(o).replaceAll(`(${g})`, '(G)').replaceAll(`[Go ${g}]`, '[Go G]')));
  seqs.sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(seqs, [0, 1].map((id) => [
    `> goroutine(G): main.worker(${id}, (*sync.WaitGroup)(0xADDR))\n`,
    `> [Go G]: foo called x=${id} y=100\n`,
    '>> goroutine(G): main.worker => ()\n',
  ]));

  assert.deepEqual(outputs.filter((e) => e.body.category === 'stdout' && !e.body.data).map((e) => e.body.output), ['sum 61\n']);
  assert.deepEqual(outputs.filter((e) => !['console', 'stdout'].includes(e.body.category)).map((e) => e.body), []);
  // The output events, then exited {0}, then terminated: nothing else.
  const tail = events.filter((e) => e.event !== 'output');
  assert.deepEqual(tail.map((e) => [e.event, e.body]), [['exited', { exitCode: 0 }], ['terminated', {}]]);
  assert.equal(events[events.length - 1].event, 'terminated');
  assert.equal(events[events.length - 2].event, 'exited');
}

module.exports = { DLVPROG_SRC, SRC_REF, FOO_LINE, WORKER_LINE, configureDlvprog, checkDlvprogRun, checkHit };
