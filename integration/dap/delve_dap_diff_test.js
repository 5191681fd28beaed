'use strict';
// DAP side by side with Delve 1.27.2 (issue 18): the same VS Code-style
// sessions against `dlv dap` and `gotrace dap`, every message compared in
// order: capabilities, events and responses, output event fields, error
// responses. What differs by design is applied to Delve's side, each with
// its reason, before the comparison:
//   - gotrace never stops the program: Delve's `stopped` events go, and
//     gotrace's one console notice saying so;
//   - capabilities: only what gotrace implements is advertised;
//   - `threads` while the program runs lists the goroutines seen (Delve
//     answers a placeholder "Current");
//   - the Debug Console's `dlv` commands work while the program runs
//     (Delve refuses every request but a few then).
// Process ids are masked. DAP_KEEP_TRANSCRIPTS=DIR keeps Delve's side of
// each session, one message per line (tests/data/delve-1.27.2 was written so).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./lib.js');

const DLV = '/usr/local/bin/dlv';
const DEMO_SRC = path.join(L.SOURCE, 'tests/fixtures/go/demo/main.go');

// Delve's capabilities that need a stopped program, or exceptions that stop it.
const NOT_ADVERTISED = ['supportsEvaluateForHovers', 'exceptionBreakpointFilters', 'supportsSetVariable',
  'supportsRestartRequest', 'supportsExceptionInfoRequest', 'supportsDelayedStackTraceLoading',
  'supportsDataBreakpoints', 'supportsReadMemoryRequest', 'supportsWriteMemoryRequest', 'supportsDisassembleRequest',
  'supportsClipboardContext', 'supportsSteppingGranularity', 'supportsInstructionBreakpoints'];
// gotrace's own: ending the program on disconnect, and `terminate`.
const ADVERTISED_TOO = { supportTerminateDebuggee: true, supportsTerminateRequest: true };

async function serve(which) {
  const argv = which === 'dlv'
    ? [DLV, ['dap', '--listen=127.0.0.1:0', '--check-go-version=false']]
    : [L.GOTRACE, ['dap', '--listen=127.0.0.1:0']];
  const proc = L.spawnTracked(argv[0], argv[1]);
  const m = await L.waitStdout(proc, /DAP server listening at: 127\.0\.0\.1:(\d+)\n/);
  return { proc, s: await L.Session.tcp(Number(m[1])) };
}

// Runs `steps(s)` against each server; returns both message streams.
async function sideBySide(steps, name) {
  const out = {};
  for (const which of ['dlv', 'gotrace']) {
    const { proc, s } = await serve(which);
    try {
      await steps(s, which);
      if (which === 'gotrace') {
        s.assertSchemaValid();
        s.assertSeqNumbers();
      }
    } finally {
      s.close();
      L.kill(proc);
    }
    out[which] = s.messages;
  }
  if (process.env.DAP_KEEP_TRANSCRIPTS && name)
    fs.writeFileSync(path.join(process.env.DAP_KEEP_TRANSCRIPTS, `dap-${name}.log`),
      out.dlv.map((m) => JSON.stringify(m)).join('\n') + '\n');
  return out;
}

function normalize(msgs, which) {
  let out = msgs.map((m) => {
    const c = JSON.parse(JSON.stringify(m));
    delete c.seq;
    if (c.event === 'process') c.body.systemProcessId = 'PID';
    if (c.event === 'output') c.body.output = c.body.output.replace(/Process \d+ has exited/, 'Process PID has exited');
    return c;
  });
  // The program's own output comes through a pipe, the hits through the
  // kernel: their interleaving is the scheduler's, so it is compared apart.
  const programOutput = out.filter((m) => m.event === 'output' && ['stdout', 'stderr'].includes(m.body.category) && !m.body.source);
  out = out.filter((m) => !programOutput.includes(m)).concat(programOutput);
  if (which === 'dlv') {
    out = out.filter((m) => m.event !== 'stopped');
    for (const m of out) {
      if (m.command === 'initialize' && m.body) {
        for (const k of NOT_ADVERTISED) delete m.body[k];
        Object.assign(m.body, ADVERTISED_TOO);
      }
    }
  } else {
    out = out.filter((m) => !(m.event === 'output' && /^gotrace never stops the program/.test(m.body.output)));
  }
  return out;
}

function expectSame(streams) {
  assert.deepEqual(normalize(streams.gotrace, 'gotrace'), normalize(streams.dlv, 'dlv'));
}

async function launch(s, program, extra = {}) {
  await s.request('initialize', L.VSCODE_INIT);
  const r = s.request('launch', { name: 'x', type: 'go', request: 'launch', mode: 'exec', program: L.fixture(program),
    outputMode: 'remote', ...extra }, 60000);
  await s.waitEvent('initialized', 60000);
  await r;
}

// Logpoints (one with a condition), a line without a statement, a missing
// function, to the program's exit and the disconnect after it.
test('DAP vs Delve 1.27.2: launch, logpoints, run to exit', { timeout: 120000 }, async () => {
  const streams = await sideBySide(async (s) => {
    await launch(s, 'demo-N');
    await s.request('setBreakpoints', { source: { path: DEMO_SRC }, breakpoints: [
      { line: 12, logMessage: 'square {n}' },
      { line: 16, logMessage: 'describe {p.Name} {len(tags)}', condition: 'p.X == 1' },
      { line: 99 }] });
    await s.request('setFunctionBreakpoints', { breakpoints: [{ name: 'main.nosuch' }] });
    await s.request('setExceptionBreakpoints', { filters: [] });
    await s.request('configurationDone', {});
    await s.waitEvent('exited', 60000);
    await s.waitEvent('terminated', 10000);
    await L.sleep(200);  // the program's last output
    await s.request('disconnect', {});
    await s.waitMessage((m) => m.event === 'terminated' && m.seq > 1 + s.messages.findIndex((x) => x.event === 'terminated'), 'second terminated', 10000).catch(() => {});
  }, 'launch-logpoints-to-exit');
  expectSame(streams);
});

// While the program runs: what needs a stopped goroutine is refused as
// Delve refuses it, unknown requests too.
test('DAP vs Delve 1.27.2: requests while the program runs', { timeout: 120000 }, async () => {
  const streams = await sideBySide(async (s) => {
    await launch(s, 'ticker-N');
    await s.request('configurationDone', {});
    await s.waitMessage((m) => m.event === 'output' && m.body.output === 'ready\n', 'ready', 20000);
    for (const [cmd, args] of [['stackTrace', { threadId: 1, startFrame: 0, levels: 20 }], ['scopes', { frameId: 1000 }],
      ['variables', { variablesReference: 1000 }], ['evaluate', { expression: 'n', context: 'repl' }],
      ['evaluate', { expression: 'n', context: 'hover' }], ['next', { threadId: 1 }], ['setVariable', { variablesReference: 1, name: 'n', value: '1' }],
      ['fooBar', { x: 1 }]])
      await s.request(cmd, args);
    await s.request('disconnect', {});
    await s.waitEvent('terminated', 10000);
  }, 'requests-while-running');
  expectSame(streams);
});

// Attaching to a running process and leaving it running.
test('DAP vs Delve 1.27.2: attach local, disconnect leaves the program', { timeout: 120000 }, async () => {
  const target = L.spawnTracked(L.fixture('ticker-N'), []);
  try {
    await L.waitStdout(target, /^ready\n/);
    const streams = await sideBySide(async (s) => {
      await s.request('initialize', L.VSCODE_INIT);
      const r = s.request('attach', { name: 'a', type: 'go', request: 'attach', mode: 'local', processId: target.pid });
      await s.waitEvent('initialized', 20000);
      await r;
      await s.request('configurationDone', {});
      await L.sleep(200);
      await s.request('disconnect', {});
      await s.waitEvent('terminated', 10000);
      await L.sleep(200);
      assert.ok(L.isAlive(target.pid));
    }, 'attach-local');
    expectSame(streams);
  } finally {
    L.kill(target);
  }
});

// The Debug Console's `dlv config` answers as Delve's (asked of Delve while
// it is stopped at the entry, the one time it answers), and gotrace's own
// `dlv trace` / `dlv clear` add and remove tracepoints while the program runs.
test('Debug Console: dlv config as Delve, dlv trace and clear while running', { timeout: 120000 }, async () => {
  const exprs = ['dlv config -list', 'dlv config -list maxStringLen', 'dlv config maxStringLen 100',
    'dlv config substitutePath /a /b', 'dlv config -list substitutePath', 'dlv config nosuch 1',
    'dlv config maxArrayValues x', 'dlv nosuch', 'dlv help config'];
  const answers = {};
  for (const which of ['dlv', 'gotrace']) {
    const { proc, s } = await serve(which);
    try {
      await launch(s, 'ticker-N', which === 'dlv' ? { stopOnEntry: true } : {});
      await s.request('configurationDone', {});
      if (which === 'dlv') await s.waitEvent('stopped', 20000);
      answers[which] = [];
      for (const e of exprs) {
        const r = await s.request('evaluate', { expression: e, context: 'repl', frameId: 1000 });
        answers[which].push(r.success ? r.body.result : r.body.error.format);
      }
      if (which === 'gotrace') {
        const from = s.messages.length;
        const t = await s.request('evaluate', { expression: 'dlv trace main.tick', context: 'repl' });
        assert.equal(t.success, true, JSON.stringify(t));
        assert.match(t.body.result, /^Tracepoint (\d+) set at 0x[0-9a-f]+ for main\.tick\(\) .*ticker\/main\.go:\d+\n$/);
        const id = t.body.result.match(/^Tracepoint (\d+)/)[1];
        const hit = await s.waitMessage((m) => m.event === 'output' && /^> goroutine\(1\): main\.tick\(\d+\)\n$/.test(m.body.output), 'a tick entry', 20000, from);
        assert.equal(hit.body.category, 'stdout');
        await s.waitMessage((m) => m.event === 'output' && /^>> goroutine\(1\): main\.tick => \(\d+\)\n$/.test(m.body.output), 'a tick return', 20000, from);
        const list = await s.request('evaluate', { expression: 'dlv breakpoints', context: 'repl' });
        assert.match(list.body.result, new RegExp(`^Tracepoint ${id} at 0x[0-9a-f]+ for main\\.tick\\(\\) .*main\\.go:\\d+ \\(\\d+\\)\\n$`));
        const c = await s.request('evaluate', { expression: `dlv clear ${id}`, context: 'repl' });
        assert.match(c.body.result, new RegExp(`^Tracepoint ${id} cleared at 0x[0-9a-f]+ for main\\.tick\\(\\)`));
        await L.sleep(100);  // hits already in flight
        const after = s.messages.length;
        await L.sleep(300);
        assert.deepEqual(s.messages.slice(after).filter((m) => m.event === 'output' && /main\.tick/.test(m.body.output)), []);
        const again = await s.request('evaluate', { expression: `dlv clear ${id}`, context: 'repl' });
        assert.equal(again.success, false);
        assert.equal(again.body.error.format, `Unable to run dlv command: no tracepoint ${id} set from this console`);
      }
      await s.request('disconnect', {});
    } finally {
      s.close();
      L.kill(proc);
    }
  }
  // gotrace's help text for config is its own; the rest is Delve's.
  assert.deepEqual(answers.gotrace.slice(0, -1), answers.dlv.slice(0, -1));
});
