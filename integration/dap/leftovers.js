'use strict';
// What a fault may leave behind, checked from outside (the same checks as
// integration/leftovers.cpp): gotrace's eBPF programs and links, breakpoints
// in the target's code, a target left stopped or traced; and a process's
// fds and RSS for the leak tests.
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');

const bpftool = (what) => cp.execFileSync('/usr/sbin/bpftool', [what, 'show'], { encoding: 'utf8' }).split('\n');
const maxId = (ls) => ls.reduce((m, l) => Math.max(m, Number((l.match(/^(\d+): /) || [0, 0])[1])), 0);

// Where the machine's BPF ids stood when a test began. The kernel numbers
// programs and links upward (idr_alloc_cyclic), so whatever the test
// creates has a higher id than any that existed then.
function bpfMark() {
  return { prog: maxId(bpftool('prog')), link: maxId(bpftool('link')) };
}

// The ids of the programs and links each running gotrace holds, read from
// its fds' fdinfo (a link's fdinfo names its program too).
function heldByGotrace() {
  const progs = new Set(), links = new Set();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'gotrace\n') continue;
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target !== 'anon_inode:bpf-prog' && target !== 'anon_inode:bpf_link') continue;
        const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        const p = info.match(/^prog_id:\s+(\d+)/m), k = info.match(/^link_id:\s+(\d+)/m);
        if (p) progs.add(Number(p[1]));
        if (k) links.add(Number(k[1]));
      }
    } catch { /* the process or fd went meanwhile */ }
  }
  return { progs, links };
}

// Programs named gotrace_probe, and the uprobe_multi links that attach them
// (bpftool v7.1 prints such a link as "type 12"), created since `mark` and
// held by no running gotrace: what the test's gotrace left behind when it
// ended (pinned, or held by a process that inherited its fds). Another
// gotrace running beside the test holds its own, so tests can run in
// parallel (the same check as integration/leftovers.cpp).
function bpfLeftSince(mark) {
  const held = heldByGotrace();
  const ours = new Set();
  let progs = 0, links = 0;
  for (const l of bpftool('prog')) {
    const m = l.match(/^(\d+): \w+\s+name gotrace_probe\s/);
    if (!m || Number(m[1]) <= mark.prog) continue;
    ours.add(Number(m[1]));
    if (!held.progs.has(Number(m[1]))) progs++;
  }
  for (const l of bpftool('link')) {
    const m = l.match(/^(\d+): (?:uprobe_multi|type 12)\s+prog (\d+)/);
    if (m && Number(m[1]) > mark.link && ours.has(Number(m[2])) && !held.links.has(Number(m[1]))) links++;
  }
  return { links, progs };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polled: the kernel frees a closed program after an RCU grace period.
async function expectNoBpfLeft(mark, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let now;
  for (;;) {
    now = bpfLeftSince(mark);
    if ((now.links === 0 && now.progs === 0) || Date.now() > deadline) break;
    await sleep(50);
  }
  assert.deepEqual(now, { links: 0, progs: 0 }, `left behind by this test's gotrace: ${JSON.stringify(now)}`);
}

// Functions' addresses, sizes and file offsets from a non-PIE ELF's .symtab.
function locate(file, names) {
  assert.equal(file.readUInt32BE(0), 0x7f454c46, 'not an ELF file');
  assert.equal(file.readUInt16LE(16), 2, 'not a non-PIE executable (ET_EXEC)');
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  const sh = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sh.push({ type: file.readUInt32LE(o + 4), addr: file.readBigUInt64LE(o + 16), offset: Number(file.readBigUInt64LE(o + 24)),
      size: Number(file.readBigUInt64LE(o + 32)), link: file.readUInt32LE(o + 40) });
  }
  const found = new Map();
  for (const s of sh.filter((x) => x.type === 2 /* SHT_SYMTAB */)) {
    const str = sh[s.link];
    for (let o = s.offset; o + 24 <= s.offset + s.size; o += 24) {
      if ((file[o + 4] & 0xf) !== 2 /* STT_FUNC */) continue;
      const nameOff = str.offset + file.readUInt32LE(o);
      const name = file.toString('latin1', nameOff, file.indexOf(0, nameOff));
      if (!names.includes(name)) continue;
      const text = sh[file.readUInt16LE(o + 6)];
      const addr = file.readBigUInt64LE(o + 8);
      found.set(name, { addr, size: Number(file.readBigUInt64LE(o + 16)), fileOffset: text.offset + Number(addr - text.addr) });
    }
  }
  return found;
}

// "" when each function's bytes in /proc/PID/mem equal the file's, else the
// first difference. A uprobe and a ptrace int3 both show as 0xcc.
function textDiff(pid, elfPath, names) {
  const file = fs.readFileSync(elfPath);
  const where = locate(file, names);
  const mem = fs.openSync(`/proc/${pid}/mem`, 'r');
  try {
    for (const name of names) {
      const f = where.get(name);
      if (!f) return `${name} not found in ${elfPath}'s .symtab`;
      const live = Buffer.alloc(f.size);
      fs.readSync(mem, live, 0, f.size, f.addr);
      for (let k = 0; k < f.size; k++) {
        if (live[k] !== file[f.fileOffset + k]) {
          const hex = (b) => `0x${b.toString(16).padStart(2, '0')}`;
          return `${name}+0x${k.toString(16)}: file ${hex(file[f.fileOffset + k])} memory ${hex(live[k])}`;
        }
      }
    }
    return '';
  } finally {
    fs.closeSync(mem);
  }
}

function procStatus(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => status.match(new RegExp(`^${name}:\\s+(.*)$`, 'm'))[1];
  return { state: field('State')[0], tracerPid: Number(field('TracerPid')), rssKb: Number(field('VmRSS').replace(/ kB$/, '')) };
}

// A target that must outlive the fault: not stopped, not traced, its code
// as the file has it.
function expectTargetUntouched(pid, elfPath, names) {
  const st = procStatus(pid);
  assert.match(st.state, /^[RSD]$/, `target ${pid} state ${st.state}`);
  assert.equal(st.tracerPid, 0, `target ${pid} still traced`);
  assert.equal(textDiff(pid, elfPath, names), '');
}

const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

module.exports = { bpfMark, expectNoBpfLeft, textDiff, procStatus, expectTargetUntouched, fdCount };
