'use strict';
// Leaks in `gotrace dap` (issue 9): 1,500 setFunctionBreakpoints set/clear
// cycles on main.tick of a running program. After a warm-up the server's
// open fds must come back to the same count and its RSS must not grow
// faster than a small bound a cycle (a least-squares slope over samples
// every 100 cycles, as integration/leak_rpc_test.cpp explains). Run by ctest as dap_leak (label leak).
// Slow by nature (see leak_rpc_test.cpp): each uprobe link costs the kernel
// an RCU grace period to create and an RCU Tasks Trace one to close, and a
// function breakpoint attaches main.tick twice (entry, then entry and
// return: Debugger::ensure_traced) and closes a link twice per cycle.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib');
const X = require('./leftovers');

// The sensitivity of the earlier 2 MiB over 10,000 cycles (210 bytes a
// cycle); the leak this was written for cost 3.4 kB a cycle.
const SLOPE_BOUND_BYTES = 256;
const SAMPLE_EVERY = 100;
const WARMUP = 200;
const CYCLES = 1500;

// Least-squares slope of ys over xs.
function slope(xs, ys) {
  const n = xs.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) { sx += xs[i]; sy += ys[i]; sxx += xs[i] * xs[i]; sxy += xs[i] * ys[i]; }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

test(`${CYCLES} setFunctionBreakpoints set/clear cycles: no fd or memory growth`, { timeout: 600000 }, async () => {
  const mark = X.bpfMark();
  const { proc, s } = await L.launchExec('ticker-N', []);
  try {
    await s.ok('configurationDone', {});
    const cycle = async () => {
      const r = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.tick' }] });
      assert.equal(r.body.breakpoints[0].verified, true, JSON.stringify(r.body));
      await s.ok('setFunctionBreakpoints', { breakpoints: [] });
    };
    for (let i = 0; i < WARMUP; i++) await cycle();
    const fds0 = X.fdCount(proc.pid);
    const rss0 = X.procStatus(proc.pid).rssKb;
    const t0 = Date.now();
    const at = [0], rss = [rss0 * 1024];
    for (let i = 0; i < CYCLES; i++) {
      await cycle();
      if ((i + 1) % SAMPLE_EVERY === 0) { at.push(i + 1); rss.push(X.procStatus(proc.pid).rssKb * 1024); }
    }
    const secs = (Date.now() - t0) / 1000;
    const fds1 = X.fdCount(proc.pid);
    const rss1 = X.procStatus(proc.pid).rssKb;
    const perCycle = slope(at, rss);
    console.log(`setFunctionBreakpoints set+clear: ${CYCLES} cycles in ${secs.toFixed(1)} s (${(secs * 1000 / CYCLES).toFixed(2)} ms each); `
      + `fds ${fds0} -> ${fds1}; VmRSS ${rss0} -> ${rss1} kB, slope ${perCycle.toFixed(1)} bytes/cycle`);
    assert.equal(fds1, fds0);
    assert.ok(perCycle < SLOPE_BOUND_BYTES, `VmRSS grows ${perCycle.toFixed(1)} bytes a cycle`);
    s.assertSchemaValid();
    await s.ok('disconnect', { terminateDebuggee: true });
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
  } finally {
    s.close();
    L.kill(proc);
  }
  await X.expectNoBpfLeft(mark);
});
