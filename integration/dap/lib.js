'use strict';
// Shared helpers for the DAP integration tests: start gotrace (TCP, --stdio or
// headless), drive it with @vscode/debugadapter-testsupport's DebugClient,
// record every message the server sends and validate each one against the
// DAP JSON schema with ajv.
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const Ajv = require('ajv');

const GOTRACE = process.env.GOTRACE || path.resolve(__dirname, '../../build/gotrace');
const FIXTURES = process.env.FIXTURES || path.resolve(__dirname, '../../build/fixtures/primary');
// The Go release that built them: ctest names each toolchain's directory
// after it (build/fixtures/go1.26.8; primary links to one of them).
const GO_MINOR = (() => {
  const m = /^go1\.(\d+)/.exec(path.basename(fs.realpathSync(FIXTURES)));
  return m ? Number(m[1]) : 0;
})();
const SOURCE = process.env.SOURCE || path.resolve(__dirname, '../..');
const SCHEMA_PATH = process.env.DAP_SCHEMA ||
  [path.join(SOURCE, 'tests/unit/protocol/testdata/debugAdapterProtocol.json'),
   '/work/shared/reference/dap/debugAdapterProtocol.json'].find((p) => fs.existsSync(p));

// The tracing backend the suite runs on: gotrace reads GOTRACE_BACKEND itself
// (ctest registers the suite once per backend); unset or auto is eBPF for root.
const BACKEND = process.env.GOTRACE_BACKEND === 'ptrace' ? 'ptrace' : 'ebpf';

const fixture = (name) => path.join(FIXTURES, name);
const fixtureSrcDir = (name) => path.join(SOURCE, 'tests/fixtures/go', name);

// VS Code's own initialize arguments (shared/reference/delve/protocols.md §7.2).
const VSCODE_INIT = {
  clientID: 'vscode', clientName: 'Visual Studio Code', adapterID: 'go', pathFormat: 'path',
  linesStartAt1: true, columnsStartAt1: true, supportsVariableType: true, supportsVariablePaging: true,
  supportsRunInTerminalRequest: true, locale: 'en', supportsProgressReporting: true,
  supportsInvalidatedEvent: true, supportsMemoryReferences: true, supportsArgsCanBeInterpretedByShell: true,
  supportsMemoryEvent: true, supportsStartDebuggingRequest: true, supportsANSIStyling: true,
};

// ---- schema validation --------------------------------------------------------------------------
let ajv;
function schemaValidator(def) {
  if (!ajv) {
    assert.ok(SCHEMA_PATH, 'debugAdapterProtocol.json not found (set DAP_SCHEMA)');
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
    delete schema.$schema; // draft-04 document; nothing in it differs under ajv's default draft
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(schema, 'dap');
    ajv._defs = new Set(Object.keys(schema.definitions));
  }
  return ajv._defs.has(def) ? ajv.getSchema(`dap#/definitions/${def}`) : null;
}
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

// Returns [] when msg is a valid DAP message, else a list of error strings.
function validateMessage(msg) {
  let def;
  if (msg.type === 'response') {
    // Error responses only have to be valid Responses (ErrorResponse adds body.error).
    def = msg.success === false ? 'ErrorResponse' : `${cap(String(msg.command))}Response`;
    if (!schemaValidator(def)) def = 'Response';
  } else if (msg.type === 'event') {
    def = `${cap(String(msg.event))}Event`;
    if (!schemaValidator(def)) def = 'Event';
  } else {
    return [`unexpected message type ${JSON.stringify(msg.type)}`];
  }
  const v = schemaValidator(def);
  if (v(msg)) return [];
  return v.errors.map((e) => `${def}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

// ---- sessions -------------------------------------------------------------------------------------
class Session {
  constructor() {
    this.dc = new DebugClient('unused', 'unused', 'go');
    this.messages = [];       // every message received, in order
    this.schemaErrors = [];   // [{msg, errors}]
    this.waiters = [];
    this.closed = false;
    const dispatch = this.dc.dispatch.bind(this.dc);
    this.dc.dispatch = (body) => {
      let msg;
      try {
        msg = JSON.parse(body);
      } catch (e) {
        this.schemaErrors.push({ msg: body, errors: [`not JSON: ${e.message}`] });
        return;
      }
      this.messages.push(msg);
      const errs = validateMessage(msg);
      if (errs.length) this.schemaErrors.push({ msg, errors: errs });
      dispatch(body);
      this._poke();
    };
  }

  _attach(readable, writable) {
    this.dc.connect(readable, writable);
    readable.on('close', () => { this.closed = true; this._poke(); });
    readable.on('end', () => { this.closed = true; this._poke(); });
  }

  static async tcp(port) {
    const s = new Session();
    await new Promise((resolve, reject) => {
      const sock = net.createConnection(port, '127.0.0.1', () => resolve());
      sock.once('error', reject);
      s.socket = sock;
    });
    s._attach(s.socket, s.socket);
    return s;
  }

  static stdio(proc) {
    const s = new Session();
    s._attach(proc.stdout, proc.stdin);
    return s;
  }

  _poke() {
    for (const w of [...this.waiters]) w();
  }

  // Resolves with the first message (from index `from`) satisfying pred, or rejects after timeout.
  waitMessage(pred, what, timeout = 30000, from = 0) {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.messages.length; i++) {
          if (pred(this.messages[i])) { done(); resolve(this.messages[i]); return true; }
        }
        if (this.closed) { done(); reject(new Error(`connection closed while waiting for ${what}`)); return true; }
        return false;
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timeout (${timeout} ms) waiting for ${what}`)); }, timeout);
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== check); };
      this.waiters.push(check);
      check();
    });
  }

  waitEvent(name, timeout = 30000, pred = () => true) {
    return this.waitMessage((m) => m.type === 'event' && m.event === name && pred(m), `event '${name}'`, timeout);
  }

  // Sends a request and resolves with the full response, successful or not.
  request(command, args, timeout = 30000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout (${timeout} ms) waiting for the '${command}' response`)), timeout);
      this.dc.doSend(command, args, (resp) => { clearTimeout(timer); resolve(resp); });
    });
  }

  // Like request(), but asserts success.
  async ok(command, args, timeout) {
    const r = await this.request(command, args, timeout);
    assert.equal(r.success, true, `${command} failed: ${JSON.stringify(r)}`);
    assert.equal(r.command, command);
    return r;
  }

  events(name) {
    return this.messages.filter((m) => m.type === 'event' && (!name || m.event === name));
  }

  outputs(category) {
    return this.events('output').filter((m) => !category || m.body.category === category);
  }

  assertSchemaValid() {
    assert.deepEqual(this.schemaErrors.slice(0, 5), [], `${this.schemaErrors.length} message(s) violate the DAP schema`);
  }

  // seq of server messages must count up from 1 (DAP spec; Delve HEAD).
  assertSeqNumbers() {
    this.messages.forEach((m, i) => assert.equal(m.seq, i + 1, `message #${i} seq`));
  }

  close() {
    if (this.socket) this.socket.destroy();
  }
}

// ---- processes ------------------------------------------------------------------------------------
const children = new Set();
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

function spawnTracked(cmd, args, opts = {}) {
  const p = cp.spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  children.add(p);
  p.stderrText = '';
  p.stdoutText = '';
  p.stderr.on('data', (d) => { p.stderrText += d; });
  p.stdout.on('data', (d) => { p.stdoutText += d; p.emit('stdoutText'); });
  p.exitPromise = new Promise((resolve) => p.on('exit', (code, signal) => { children.delete(p); p.exited = { code, signal }; resolve(p.exited); }));
  return p;
}

// Waits until the process's stdout (accumulated in p.stdoutText) matches re.
function waitStdout(p, re, timeout = 20000, what = String(re)) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = p.stdoutText.match(re);
      if (m) { cleanup(); resolve(m); return; }
      if (p.exited) { cleanup(); reject(new Error(`process exited (${JSON.stringify(p.exited)}) before ${what}; stderr: ${p.stderrText}`)); }
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timeout waiting for ${what}; stdout: ${p.stdoutText}; stderr: ${p.stderrText}`)); }, timeout);
    const cleanup = () => { clearTimeout(timer); p.off('stdoutText', check); p.off('exit', check); };
    p.on('stdoutText', check);
    p.on('exit', check);
    check();
  });
}

// `gotrace dap --listen=127.0.0.1:0 [flags...]`; resolves {proc, port}.
async function startDapServer(flags = []) {
  const proc = spawnTracked(GOTRACE, ['dap', '--listen=127.0.0.1:0', ...flags]);
  const m = await waitStdout(proc, /DAP server listening at: 127\.0\.0\.1:(\d+)\n/);
  return { proc, port: Number(m[1]) };
}

// `gotrace exec --headless ... BIN`; resolves {proc, port}.
async function startHeadless(bin, args = []) {
  const proc = spawnTracked(GOTRACE, ['exec', '--headless', '--listen=127.0.0.1:0', '--api-version=2',
    '--accept-multiclient', bin, ...(args.length ? ['--', ...args] : [])]);
  const m = await waitStdout(proc, /listening at: 127\.0\.0\.1:(\d+)\n/);
  return { proc, port: Number(m[1]) };
}

// `gotrace dap [serverFlags...]` on TCP, then initialize and launch (mode
// exec, plus `extra` launch attributes) in VS Code's order: resolves
// {proc, s} once `initialized` and the launch response came.
async function launchExec(program, args = [], extra = {}, serverFlags = []) {
  const { proc, port } = await startDapServer(serverFlags);
  const s = await Session.tcp(port);
  try {
    await s.ok('initialize', VSCODE_INIT);
    const launch = s.request('launch', { name: program, type: 'go', request: 'launch', mode: 'exec', program: fixture(program), args, traceData: true, ...extra });
    await s.waitEvent('initialized', 20000);
    assert.equal((await launch).success, true);
  } catch (e) {
    s.close();
    kill(proc);
    throw e;
  }
  return { proc, s };
}

// The end of a session whose program ran to completion: it never stopped,
// every message was valid DAP in sequence, and disconnect ends the server.
async function finishClean(s, proc) {
  assert.equal(s.events('stopped').length, 0);
  s.assertSchemaValid();
  s.assertSeqNumbers();
  await s.ok('disconnect', {});
  s.close();
  assert.deepEqual(await waitExit(proc), { code: 0, signal: null });
}

async function waitExit(p, timeout = 10000) {
  if (p.exited) return p.exited;
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`process ${p.pid} still running after ${timeout} ms`)), timeout); });
  try {
    return await Promise.race([p.exitPromise, t]);
  } finally {
    clearTimeout(timer);
  }
}

function kill(p) {
  if (p && !p.exited) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; look at its state.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

// The children of `pid` (a headless server's program).
function childPids(pid) {
  const out = [];
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    const c = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (c) out.push(...c.split(/\s+/).map(Number));
  }
  return out;
}

// A TCP connection to 127.0.0.1:port, once connected.
function tcpConnect(port) {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

// A socket 'data' handler that calls onLine with each complete line (a
// Buffer, without its newline). Only the new chunk is searched for the
// line's end: a reply of many megabytes (GetBufferedTracepoints under load)
// arrives in hundreds of chunks, and rescanning what came before made
// reading it quadratic.
function lineReader(onLine) {
  let parts = [];
  return (d) => {
    let start = 0;
    for (;;) {
      const nl = d.indexOf(10, start);
      if (nl < 0) {
        if (start < d.length) parts.push(d.subarray(start));
        return;
      }
      parts.push(d.subarray(start, nl));
      const line = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      parts = [];
      start = nl + 1;
      onLine(line);
    }
  };
}

// Delve's JSON-RPC on a headless server: one JSON object per line each way.
class RpcClient {
  static async connect(port) {
    const r = new RpcClient();
    r.sock = await tcpConnect(port);
    r.waiting = new Map();
    r.nextId = 1;
    r.sock.on('data', lineReader((line) => {
      const msg = JSON.parse(line.toString());
      const w = r.waiting.get(msg.id);
      if (w) {
        r.waiting.delete(msg.id);
        w(msg);
      }
    }));
    return r;
  }

  // Resolves with the result; rejects with the error message.
  call(method, params) {
    const id = this.nextId++;
    const reply = new Promise((resolve) => this.waiting.set(id, resolve));
    this.sock.write(`${JSON.stringify({ method: `RPCServer.${method}`, params: [params], id })}\n`);
    return reply.then((m) => {
      if (m.error) throw new Error(`${method}: ${m.error}`);
      return m.result;
    });
  }
}

// A call's duration as gotrace prints it after a return line's values
// (Go's time.Duration form, 3 decimals of the unit at most).
function formatDuration(ns) {
  const trim = (v) => v.toFixed(3).replace(/\.?0+$/, '');
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 999999500) return `${trim(ns / 1e6)}ms`;
  const ms = Math.floor((ns + 500000) / 1e6);
  if (ms < 60000) return `${trim(ms / 1e3)}s`;
  const h = Math.floor(ms / 3600000);
  return `${h ? `${h}h` : ''}${Math.floor(ms / 60000) % 60}m${trim((ms % 60000) / 1e3)}s`;
}

// The text of a return hit's output event: Delve's line, no duration in
// it; the call's duration is in its data, and checked there.
function withDuration(text, data) {
  assert.ok(Number.isInteger(data.durationNs) && data.durationNs > 0, JSON.stringify(data));
  return text;
}

// " [1.5µs]" at a return line's end -> " [DUR]".
const normDuration = (s) => s.replace(/ \[(?:\d+ns|\d+(?:\.\d{1,3})?(?:µs|ms)|(?:\d+h)?(?:\d+m)?\d+(?:\.\d{1,3})?s)\]\n/g, ' [DUR]\n');

module.exports = {
  tcpConnect, lineReader, RpcClient, formatDuration, withDuration, normDuration,
  GOTRACE, FIXTURES, GO_MINOR, SOURCE, BACKEND, VSCODE_INIT, Session, fixture, fixtureSrcDir, validateMessage,
  spawnTracked, waitStdout, startDapServer, startHeadless, launchExec, finishClean, waitExit, kill, sleep, isAlive,
  childPids,
};
