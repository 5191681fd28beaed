// A DAP client and a JSON-RPC client on one headless server (`gotrace exec
// --headless --accept-multiclient`), each with its own breakpoints: every
// hit reaches the client that set its breakpoint, and only that one.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib');

test('a DAP client and a JSON-RPC client on one server each get their own hits', { timeout: 60000 }, async () => {
  const srv = await L.startHeadless(L.fixture('demo-N'));
  let s;
  let rpc;
  try {
    rpc = await L.RpcClient.connect(srv.port);
    const bp = await rpc.call('CreateBreakpoint', { Breakpoint: { functionName: 'main.square', continue: true, LoadArgs: { FollowPointers: false, MaxVariableRecurse: 0, MaxStringLen: 64, MaxArrayValues: 0, MaxStructFields: 3 } } });
    assert.equal(bp.Breakpoint.functionName, 'main.square');

    s = await L.Session.tcp(srv.port);
    await s.ok('initialize', L.VSCODE_INIT);
    const attach = s.request('attach', { name: 'Connect to server', type: 'go', request: 'attach', mode: 'remote', stopOnEntry: false, traceData: true });
    await s.waitEvent('initialized', 20000);
    assert.equal((await attach).success, true);
    const fb = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.describe' }] });
    assert.equal(fb.body.breakpoints[0].verified, true, JSON.stringify(fb.body));
    const from = s.messages.length;
    await s.ok('configurationDone', {});

    // The JSON-RPC client continues until the program exits: it sees the
    // three square calls, none of describe's.
    const stops = [];
    for (let i = 0; i < 10; i++) {
      const st = (await rpc.call('Command', { name: 'continue' })).State;
      if (st.exited) break;
      for (const th of st.Threads) stops.push([th.breakPoint.functionName, th.breakPointInfo.arguments[0].value]);
    }
    assert.deepEqual(stops, [['main.square', '1'], ['main.square', '2'], ['main.square', '3']]);

    await s.waitEvent('terminated', 20000);
    const hits = s.messages.slice(from).filter((m) => m.event === 'output' && m.body.data).map((m) => L.normDuration(m.body.output));
    assert.deepEqual(hits, [
      '> goroutine(1): main.describe(main.Point {X: 1, Y: 2, Name: "home"}, []string len: 2, cap: 2, [...])\n',
      '>> goroutine(1): main.describe => ("home@1,2",error nil)\n',
    ]);
  } finally {
    if (s) s.close();
    if (rpc) rpc.sock.destroy();
    L.kill(srv.proc);
  }
});
