'use strict';
// What a fault may leave behind, checked from outside (the same checks as
// integration/leftovers.cpp): gotrace's eBPF programs and links, breakpoints
// in the target's code, a target left stopped or traced; and a process's
// fds and RSS for the leak tests.
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');

// System-wide: programs named gotrace_probe and the uprobe_multi links that
// attach them (bpftool v7.1 prints such a link as "type 12").
function bpfCounts() {
  const progs = cp.execFileSync('/usr/sbin/bpftool', ['prog', 'show'], { encoding: 'utf8' });
  const ours = new Set();
  for (const l of progs.split('\n')) {
    const m = l.match(/^(\d+): \w+\s+name gotrace_probe\s/);
    if (m) ours.add(Number(m[1]));
  }
  const links = cp.execFileSync('/usr/sbin/bpftool', ['link', 'show'], { encoding: 'utf8' });
  let n = 0;
  for (const l of links.split('\n')) {
    const m = l.match(/^\d+: (?:uprobe_multi|type 12)\s+prog (\d+)/);
    if (m && ours.has(Number(m[1]))) n++;
  }
  return { links: n, progs: ours.size };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The kernel frees a closed program after an RCU grace period, and other
// gotrace runs on the machine may end meanwhile: poll until the counts are
// no higher than before.
async function expectBpfBackTo(before, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let now;
  for (;;) {
    now = bpfCounts();
    if ((now.links <= before.links && now.progs <= before.progs) || Date.now() > deadline) break;
    await sleep(50);
  }
  assert.ok(now.links <= before.links && now.progs <= before.progs,
    `left behind: ${JSON.stringify(now)} now, ${JSON.stringify(before)} before`);
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

module.exports = { bpfCounts, expectBpfBackTo, textDiff, procStatus, expectTargetUntouched, fdCount };
