// setTracepoints "stack": N: each hit carries the frames its probe captured
// (Go's frame pointers walked in the probe, the program never stops), printed
// under the trace line as Delve's stack block and given as output data.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const L = require('./lib');

const SRC = path.join(L.fixtureSrcDir('demo'), 'main.go');

// Delve's block (api.PrintStack with "\t\t"): index, pc, function, file:line.
function block(frames, bottom) {
  let out = '\tStack:\n';
  frames.forEach((f, i) => {
    out += `\t\t${i}  0x${f.pc.toString(16).padStart(16, '0')} in ${f.function}\n\t\t     at ${f.file}:${f.line}\n`;
  });
  return bottom ? out : `${out}\t\t(truncated)\n`;
}

test('setTracepoints with stack: 2 prints and sends each hit\'s frames', { timeout: 60000 }, async () => {
  const { proc, s } = await L.launchExec('demo-N');
  try {
    const r = await s.ok('setTracepoints', { tracepoints: [{ function: '^main\\.square$', stack: 2 }] });
    assert.deepEqual(r.body.breakpoints.map((b) => [b.verified, b.message, b.line]), [[true, 'main.square', 12]]);
    const from = s.messages.length;
    await s.ok('configurationDone', {});
    await s.waitEvent('terminated', 30000);
    const hits = s.messages.slice(from).filter((m) => m.event === 'output' && m.body.data).map((m) => m.body);
    assert.equal(hits.length, 6);
    hits.forEach((h, i) => {
      const n = Math.floor(i / 2) + 1;
      const st = h.data.stack;
      // The frames: square (at its entry or its return), the call in
      // main.main, runtime.main; the walk stops at 3 frames (stack 2 = 2
      // frames above the hit's own), so the block says "(truncated)".
      assert.deepEqual(st.map((f) => [f.function, f.line]), [['main.square', 12], ['main.main', 22], ['runtime.main', st[2].line]]);
      assert.equal(st[0].file, SRC);
      assert.equal(st[1].file, SRC);
      assert.match(st[2].file, /\/src\/runtime\/proc\.go$/);
      for (const f of st) assert.ok(Number.isInteger(f.pc) && f.pc > 0x400000, JSON.stringify(f));
      const line = i % 2 === 0
        ? `> goroutine(1): main.square(${n})\n`
        : L.withDuration(`>> goroutine(1): main.square => (${n * n})\n`, h.data);
      assert.equal(h.output, line + block(st, false));
    });
    // The entry's pc is the function's first instruction; the return's a RET
    // inside it; both are called from the same place in main.main.
    assert.ok(hits[1].data.stack[0].pc > hits[0].data.stack[0].pc);
    assert.equal(hits[1].data.stack[1].pc, hits[0].data.stack[1].pc);
    await L.finishClean(s, proc);
  } finally {
    s.close();
    L.kill(proc);
  }
});
