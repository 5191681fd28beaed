'use strict';
// Leaks in `gotrace dap` (issue 9): 10,000 setFunctionBreakpoints set/clear
// cycles on main.tick of a running program. After a warm-up the server's
// open fds must come back to the same count and its RSS must not grow by
// more than a small bound. Run by ctest as dap_leak (label leak).
// Slow by nature (see leak_rpc_test.cpp): each uprobe link costs the kernel
// an RCU grace period to create and an RCU Tasks Trace one to close, and a
// function breakpoint attaches main.tick twice (entry, then entry and
// return: Debugger::ensure_traced) and closes a link twice per cycle.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib');
const X = require('./leftovers');

// Growth allowed after the warm-up: allocator noise and caches that fill
// once; a leaked link, fd or session record per cycle would pass it within
// a few hundred cycles.
const RSS_BOUND_KB = 2048;
const WARMUP = 200;
const CYCLES = 10000;

test(`${CYCLES} setFunctionBreakpoints set/clear cycles: no fd or memory growth`, { timeout: 1700000 }, async () => {
  const before = X.bpfCounts();
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
    for (let i = 0; i < CYCLES; i++) await cycle();
    const secs = (Date.now() - t0) / 1000;
    const fds1 = X.fdCount(proc.pid);
    const rss1 = X.procStatus(proc.pid).rssKb;
    console.log(`setFunctionBreakpoints set+clear: ${CYCLES} cycles in ${secs.toFixed(1)} s (${(secs * 1000 / CYCLES).toFixed(2)} ms each); `
      + `fds ${fds0} -> ${fds1}; VmRSS ${rss0} -> ${rss1} kB`);
    assert.equal(fds1, fds0);
    assert.ok(rss1 - rss0 < RSS_BOUND_KB, `VmRSS grew by ${rss1 - rss0} kB`);
    s.assertSchemaValid();
    await s.ok('disconnect', { terminateDebuggee: true });
    s.close();
    assert.deepEqual(await L.waitExit(proc), { code: 0, signal: null });
  } finally {
    s.close();
    L.kill(proc);
  }
  await X.expectBpfBackTo(before);
});
