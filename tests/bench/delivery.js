#!/usr/bin/env node
// Delivery under load (issue 8, target 3): one `gotrace exec --headless
// --accept-multiclient` server, a DAP client and a JSON-RPC client both
// connected, each tracing a function of the deliver fixture called CALLS
// times as fast as the program can:
//   - the DAP client (VS Code's remote attach) has a setTracepoints logpoint
//     on main.outer: one `output` event per call;
//   - the JSON-RPC client has CreateEBPFTracepoint on main.inner (entry and
//     return: two events per call) and drains GetBufferedTracepoints every
//     millisecond (dlv trace --ebpf's bulk path; a `continue` shows one hit
//     per thread, Delve's protocol).
// Both clients count what they receive without parsing it (JSON.parse of a
// 30 MB reply is slower in node than the server's writing it, and this
// measures the server).
// Prints a Markdown table: events delivered to each client, events dropped
// or lost (and said), the traced loop's duration (timed by the program
// itself) and the delivered rate.
//
//   sudo node tests/bench/delivery.js GOTRACE FIXTURE_DIR [CALLS]
'use strict';

const path = require('node:path');
process.env.GOTRACE = process.argv[2];
process.env.FIXTURES = process.argv[3];
process.env.SOURCE = path.resolve(__dirname, '../..');
const L = require('../../integration/dap/lib');

const CALLS = Number(process.argv[4] || 1000000);

// A lean DAP client: frames are split by Content-Length and hits only
// counted (the test suite's client validates every message against the
// schema, which is slower than the server).
class Dap {
  static async connect(port) {
    const d = new Dap();
    d.sock = await L.tcpConnect(port);
    d.buf = Buffer.alloc(0);
    d.seq = 1;
    d.hits = 0;
    d.others = [];  // every message but hits, parsed
    d.waiters = [];
    d.sock.on('data', (chunk) => {
      d.buf = Buffer.concat([d.buf, chunk]);
      for (;;) {
        const hdrEnd = d.buf.indexOf('\r\n\r\n');
        if (hdrEnd < 0) break;
        const len = Number(/Content-Length: (\d+)/.exec(d.buf.subarray(0, hdrEnd).toString())[1]);
        if (d.buf.length < hdrEnd + 4 + len) break;
        const body = d.buf.subarray(hdrEnd + 4, hdrEnd + 4 + len).toString();
        d.buf = d.buf.subarray(hdrEnd + 4 + len);
        if (body.includes('"event":"output"') && body.includes('"data":')) {
          d.hits++;
          continue;
        }
        d.others.push(JSON.parse(body));
        d.waiters = d.waiters.filter((w) => !w());
      }
    });
    return d;
  }

  wait(pred) {
    return new Promise((resolve) => {
      const check = () => {
        const m = this.others.find(pred);
        if (m) resolve(m);
        return !!m;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  request(command, args) {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.sock.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return this.wait((m) => m.type === 'response' && m.request_seq === seq);
  }
}

// A lean JSON-RPC poller: one GetBufferedTracepoints at a time, the reply's
// results counted by their one "is_ret" key each (Variables have none).
class RpcPoller {
  static async connect(port) {
    const r = new RpcPoller();
    r.sock = await L.tcpConnect(port);
    r.pending = null;
    r.id = 1;
    r.sock.on('data', L.lineReader((line) => {
      let n = 0;
      for (let i = line.indexOf('"is_ret":'); i >= 0; i = line.indexOf('"is_ret":', i + 9)) n++;
      const done = r.pending;
      r.pending = null;
      if (done) done(n);
    }));
    return r;
  }

  poll(loadCfg) {
    return new Promise((resolve) => {
      this.pending = resolve;
      const req = { method: 'RPCServer.GetBufferedTracepoints', params: [{ LoadCfg: loadCfg }], id: this.id++ };
      this.sock.write(`${JSON.stringify(req)}\n`);
    });
  }
}

async function main() {
  const srv = await L.startHeadless(L.fixture('deliver-O'), [String(CALLS)]);
  const rpc = await L.RpcClient.connect(srv.port);
  const poller = await RpcPoller.connect(srv.port);
  await rpc.call('CreateEBPFTracepoint', { FunctionName: 'main.inner' });

  const s = await Dap.connect(srv.port);
  await s.request('initialize', L.VSCODE_INIT);
  await s.request('attach', { name: 'bench', type: 'go', request: 'attach', mode: 'remote', stopOnEntry: false, traceData: true });
  const tp = await s.request('setTracepoints', { tracepoints: [{ function: '^main\\.outer$', logMessage: 'o {a}', returns: false }] });
  if (!tp.body.breakpoints[0].verified) throw new Error(JSON.stringify(tp.body));

  let rpcEvents = 0;
  let polling = true;
  const poll = (async () => {
    const cfg = { FollowPointers: false, MaxVariableRecurse: 1, MaxStringLen: 64, MaxArrayValues: 64, MaxStructFields: -1 };
    while (polling) {
      rpcEvents += await poller.poll(cfg);
      await L.sleep(1);
    }
  })();
  const t0 = Date.now();
  await s.request('configurationDone', {});
  rpc.call('Command', { name: 'continue' }).catch(() => {});
  await s.wait((m) => m.event === 'terminated');
  const wall = (Date.now() - t0) / 1000;
  await L.sleep(200);
  polling = false;
  await poll;
  rpcEvents += await poller.poll({});

  const out = s.others.filter((m) => m.event === 'output');
  const dapEvents = s.hits;
  const notes = out.filter((m) => m.body.category === 'console').map((m) => m.body.output);
  const count = (re) => notes.reduce((n, t) => n + Number((t.match(re) || [0, 0])[1]), 0);
  const dropped = count(/^gotrace: (\d+) trace events were dropped/);
  const lost = count(/^gotrace: (\d+) trace events were lost/);
  const rpcDropped = count(/^gotrace: (\d+) hits were dropped/);
  // Headless: the program's output goes to the server's stdout.
  const stdout = srv.proc.stdoutText;
  const m = stdout.match(/ns_per_call (\d+(?:\.\d+)?)/);
  const traced = m ? (Number(m[1]) * CALLS) / 1e9 : NaN;
  const total = dapEvents + rpcEvents;
  // main.inner's tracepoint has entry and return probes (Delve's eBPF
  // tracepoints trace both): two events per call.
  const produced = 3 * CALLS;

  console.log(`| delivery, ${CALLS} calls of main.outer (DAP logpoint) and main.inner (JSON-RPC eBPF tracepoint) | value |`);
  console.log('| --- | ---: |');
  console.log(`| events delivered to the DAP client | ${dapEvents} of ${CALLS} |`);
  console.log(`| events delivered to the JSON-RPC client | ${rpcEvents} of ${2 * CALLS} |`);
  console.log(`| dropped by the server (said to the client) | ${dropped + rpcDropped} |`);
  console.log(`| lost in the kernel ring (said to the client) | ${lost} |`);
  console.log(`| traced loop, timed by the program | ${traced.toFixed(2)} s (wall ${wall.toFixed(2)} s) |`);
  console.log(`| events per second while the loop ran | ${Math.round(total / traced)} |`);
  console.log(`| unaccounted | ${produced - total - dropped - rpcDropped - lost} |`);

  const unaccounted = produced - total - dropped - rpcDropped - lost;
  s.sock.destroy();
  rpc.sock.destroy();
  poller.sock.destroy();
  L.kill(srv.proc);
  if (unaccounted !== 0 || !m) {
    console.error(unaccounted !== 0 ? `${unaccounted} events unaccounted for` : 'the program printed no timing');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
