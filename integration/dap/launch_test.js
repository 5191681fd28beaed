'use strict';
// launch over TCP (mode exec and debug) and over --stdio, in VS Code's
// message order, against the dlvprog fixture (Delve's dap-01/dap-02 program).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const L = require('./lib');
const T = require('./trace_common');

// initialize → launch → wait initialized → setBreakpoints → setFunctionBreakpoints
// → configurationDone → all events until terminated → disconnect.
async function vscodeSession(s, launchArgs, { checkProcessName } = {}) {
  const init = await s.ok('initialize', L.VSCODE_INIT);
  assert.deepEqual(init.body, {
    supportsConfigurationDoneRequest: true, supportsFunctionBreakpoints: true,
    supportsConditionalBreakpoints: true, supportsHitConditionalBreakpoints: true,
    supportsLogPoints: true, supportTerminateDebuggee: true, supportsTerminateRequest: true,
  });
  const launch = s.request('launch', { traceData: true, ...launchArgs }, 120000);
  await s.waitEvent('initialized', 120000);
  const lr = await launch;
  assert.equal(lr.success, true, JSON.stringify(lr));
  const proc = await s.waitEvent('process', 5000);
  await T.configureDlvprog(s);
  await s.ok('configurationDone', {});
  const firstEventIndex = s.messages.length;
  await s.waitEvent('terminated', 30000);

  // The opening of the session, message by message (Delve 1.27's order:
  // process, initialized, the launch response; at configurationDone the
  // pointer to the Debug Console's commands).
  const head = s.messages.slice(0, 8).map((m) => (m.type === 'event' ? `event ${m.event}` : `response ${m.command}`));
  assert.deepEqual(head, ['response initialize', 'event process', 'event initialized', 'response launch',
    'response setBreakpoints', 'response setFunctionBreakpoints', 'event output', 'response configurationDone']);
  assert.equal(proc.body.isLocalProcess, true);
  assert.equal(proc.body.startMethod, 'launch');
  assert.ok(Number.isInteger(proc.body.systemProcessId) && proc.body.systemProcessId > 0);
  if (checkProcessName) checkProcessName(proc.body.name);

  // configurationDone's response comes before the first output of the run.
  T.checkDlvprogRun(s, { firstEventIndex });

  const before = s.messages.length;
  const disc = await s.ok('disconnect', { restart: false });
  assert.equal(disc.request_seq > 0, true);
  await s.waitMessage((m) => m.type === 'event' && m.event === 'terminated', 'terminated after disconnect', 5000, before);
  s.assertSchemaValid();
  s.assertSeqNumbers();
  return { proc };
}

test('launch exec over TCP: logpoint + function breakpoints, complete output', { timeout: 60000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    const program = L.fixture('dlvprog-N');
    await vscodeSession(s, {
      name: 'Launch Executable', type: 'go', request: 'launch', mode: 'exec', program,
      args: [], env: {}, cwd: L.FIXTURES, stopOnEntry: false, __sessionId: '00000000-0000-0000-0000-000000000001',
    }, { checkProcessName: (n) => assert.equal(n, program) });
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null }, 'dap server serves one client then exits');
  } finally {
    s.close();
    L.kill(proc);
  }
});

test('launch debug over TCP: builds the package, same trace, removes the binary', { timeout: 150000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  let built;
  try {
    await vscodeSession(s, {
      name: 'Launch Package', type: 'go', request: 'launch', mode: 'debug', program: L.fixtureSrcDir('dlvprog'),
      args: [], env: {}, stopOnEntry: false, __sessionId: '00000000-0000-0000-0000-000000000002',
    }, { checkProcessName: (n) => { built = n; } });
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
    // Delve removes the binary it built for mode debug when the session ends.
    assert.equal(fs.existsSync(built), false, `built binary ${built} left behind`);
  } finally {
    s.close();
    L.kill(proc);
    if (built && built.includes('__debug_bin')) fs.rmSync(built, { force: true });
  }
});

test('launch exec over --stdio', { timeout: 60000 }, async () => {
  const proc = L.spawnTracked(L.GOTRACE, ['dap', '--stdio']);
  const s = L.Session.stdio(proc);
  try {
    await vscodeSession(s, {
      name: 'Launch Executable', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N'),
      args: [], env: {}, cwd: L.FIXTURES, stopOnEntry: false,
    });
    proc.stdin.end();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
  } finally {
    L.kill(proc);
  }
});

test('plain source breakpoints: first line traces entry, a body line traces that line, one note', { timeout: 60000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    const launch = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture('dlvprog-N'), traceData: true });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
    const r = await s.ok('setBreakpoints', { source: { ...T.SRC_REF }, breakpoints: [{ line: T.FOO_LINE }, { line: T.FOO_LINE + 1 }] });
    const [first, body] = r.body.breakpoints;
    assert.deepEqual(first, { id: first.id, verified: true, source: T.SRC_REF, line: T.FOO_LINE });
    assert.deepEqual(body, { id: body.id, verified: true, source: T.SRC_REF, line: T.FOO_LINE + 1 });
    // Setting them again (VS Code does on every edit) must not repeat the note.
    await s.ok('setBreakpoints', { source: { ...T.SRC_REF }, breakpoints: [{ line: T.FOO_LINE }, { line: T.FOO_LINE + 1 }] });
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 20000);
    const consoles = s.messages.filter((m) => m.event === 'output' && m.body.data);
    const notes = s.messages.filter((m) => m.event === 'output' && m.body.category === 'console').map((m) => m.body.output);
    assert.deepEqual(notes, ['gotrace never stops the program: breakpoints print each call here and the program keeps running.\n',
      "Type 'dlv help' for list of commands.\n"]);
    // Each call: its entry (first line), then the body line with the
    // arguments as they are there.
    const g1 = consoles.filter((m) => m.body.data && m.body.data.goroutine === 1)
      .map((m) => [m.body.line, m.body.data.kind, m.body.output]);
    const call = (x, y) => [[T.FOO_LINE, 'entry', `> goroutine(1): main.foo(${x}, ${y})\n`],
      [T.FOO_LINE + 1, 'line', `> goroutine(1): main.foo(${x}, ${y})\n`]];
    assert.deepEqual(g1, [...call(0, 10), ...call(1, 11), ...call(2, 12)]);
    const others = consoles.filter((m) => m.body.data && m.body.data.goroutine !== 1)
      .map((m) => `${m.body.line} ${m.body.output.replace(/\(\d+\)/, '(G)')}`).sort();
    assert.deepEqual(others, [`${T.FOO_LINE} > goroutine(G): main.foo(0, 100)\n`, `${T.FOO_LINE} > goroutine(G): main.foo(1, 100)\n`,
      `${T.FOO_LINE + 1} > goroutine(G): main.foo(0, 100)\n`, `${T.FOO_LINE + 1} > goroutine(G): main.foo(1, 100)\n`]);
    assert.deepEqual(s.outputs('stdout').filter((e) => !e.body.data).map((e) => e.body.output), ['sum 61\n']);
    await s.ok('disconnect', {});
    s.assertSchemaValid();
    s.assertSeqNumbers();
  } finally {
    s.close();
    L.kill(proc);
  }
});

// mode test: the package's test binary is built (go test -c, -N -l) and run;
// the hits come in program order with the test's own output.
test('launch test mode: builds the test binary, traces the function under test', { timeout: 120000 }, async () => {
  const { proc, port } = await L.startDapServer();
  const s = await L.Session.tcp(port);
  try {
    await s.ok('initialize', L.VSCODE_INIT);
    const launch = s.request('launch', {
      name: 'Launch test', type: 'go', request: 'launch', mode: 'test',
      program: L.fixtureSrcDir('addtest'), args: ['-test.v', '-test.run', 'TestAdd'], traceData: true,
    }, 120000);
    await s.waitEvent('initialized', 120000);
    const lr = await launch;
    assert.equal(lr.success, true, JSON.stringify(lr));
    const bps = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'gotrace.test/fixtures/addtest.Add' }] });
    assert.equal(bps.body.breakpoints.length, 1);
    assert.equal(bps.body.breakpoints[0].verified, true, JSON.stringify(bps.body));
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 60000);
    // The program's output and the hits travel separately (a pipe and the
    // kernel ring), so only each stream's own order is asserted.
    const of = (hits) => s.messages
      .filter((m) => m.type === 'event' && m.event === 'output' && m.body.category === 'stdout' && !!m.body.data === hits)
      .map((m) => m.body.output).join('');
    assert.equal(of(false).replace(/\(\d+\.\d+s\)/, '(Ts)'), '=== RUN   TestAdd\n--- PASS: TestAdd (Ts)\nPASS\n');
    assert.equal(L.normDuration(of(true)).replace(/goroutine\(\d+\)/g, 'goroutine(G)'),
      '> goroutine(G): gotrace.test/fixtures/addtest.Add(2, 3)\n' +
      '>> goroutine(G): gotrace.test/fixtures/addtest.Add => (5)\n');
    const exited = s.messages.find((m) => m.type === 'event' && m.event === 'exited');
    assert.deepEqual(exited.body, { exitCode: 0 });
    await s.ok('disconnect', { restart: false });
    s.assertSchemaValid();
    s.assertSeqNumbers();
    s.close();
  } finally {
    L.kill(proc);
  }
});

// The launch attribute "backend" picks the tracer whatever GOTRACE_BACKEND the
// server runs with; without it, GOTRACE_BACKEND decides (this file runs under
// both). The float result tells which one traced: the uprobe context has no
// XMM registers (the -N -l build's float arguments are read where its
// prologue stored them), ptrace reads them.
const FLOATS = {
  ebpf: ['1.5', '2.25', '(unreadable float register)'],
  ptrace: ['1.5', '2.25', '8.25'],
};
const OTHER = L.BACKEND === 'ebpf' ? 'ptrace' : 'ebpf';
for (const [what, extra, backend, serverFlags] of [
  ['"backend": "ebpf" traces with ebpf', { backend: 'ebpf' }, 'ebpf', []],
  ['"backend": "ptrace" traces with ptrace', { backend: 'ptrace' }, 'ptrace', []],
  [`no "backend": GOTRACE_BACKEND's (${L.BACKEND}) traces`, {}, L.BACKEND, []],
  [`no "backend" on \`gotrace dap --backend=${OTHER}\`: the flag's backend traces`, {}, OTHER, [`--backend=${OTHER}`]],
  [`"backend": "${L.BACKEND}" on \`gotrace dap --backend=${OTHER}\`: the attribute wins`, { backend: L.BACKEND }, L.BACKEND, [`--backend=${OTHER}`]],
]) {
  test(`launch with ${what}`, { timeout: 60000 }, async () => {
    const [f, g, result] = FLOATS[backend];
    const { proc, s } = await L.launchExec('types-N', [], extra, serverFlags);
    try {
      const r = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.floats' }] });
      assert.equal(r.body.breakpoints.length, 1);
      assert.equal(r.body.breakpoints[0].verified, true, JSON.stringify(r.body));
      const from = s.messages.length;
      await s.ok('configurationDone', {});
      await s.waitEvent('terminated', 30000);
      const outputs = s.messages.slice(from).filter((m) => m.event === 'output');
      const hits = outputs.filter((m) => m.body.data).map((m) => m.body);
      assert.deepEqual(hits.map((b) => b.output), [
        `> goroutine(1): main.floats(${f}, ${g}, 3)\n`,
        L.withDuration(`>> goroutine(1): main.floats => (${result})\n`, hits[1].data),
      ]);
      assert.deepEqual(hits[0].data.arguments, [
        { name: 'f', type: 'float64', value: f }, { name: 'g', type: 'float32', value: g }, { name: 'n', type: 'int', value: '3' },
      ]);
      assert.deepEqual(hits[1].data.returnValues, [{ name: '~r0', type: 'float64', value: result }]);
      assert.deepEqual(outputs.filter((m) => !m.body.data).map((m) => [m.body.category, m.body.output]),
        [['console', "Type 'dlv help' for list of commands.\n"], ['stdout', 'total -9223370937343077978\n']]);
      await L.finishClean(s, proc);
    } finally {
      s.close();
      L.kill(proc);
    }
  });
}
