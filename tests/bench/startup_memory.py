#!/usr/bin/env python3
"""Start-up time and peak memory of a headless server, gotrace against Delve.

For each server (`gotrace exec --headless` and `dlv exec --headless`), on the
same binary: the time from starting the server to the answer of the first
CreateBreakpoint (a tracepoint on FUNCTION), i.e. launch + symbols + the first
probe armed; then the program runs to its end through `continue`, and the
server's peak RSS (VmHWM) is read before it is told to detach. Each server is
run RUNS times; the median is reported, as a Markdown table row per server
and the ratios.

usage: startup_memory.py GOTRACE BINARY FUNCTION [RUNS] [-- ARGS...]
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.file = self.sock.makefile("rb")
        self.next_id = 0

    def call(self, method, params):
        self.next_id += 1
        req = {"method": "RPCServer." + method, "params": [params], "id": self.next_id}
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError(f"{method}: connection closed")
            msg = json.loads(line)
            if msg.get("id") == self.next_id:
                if msg.get("error"):
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for {pid}")


def run_once(server_argv, function):
    t0 = time.monotonic()
    srv = subprocess.Popen(server_argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    seen = []
    for line in srv.stdout:
        seen.append(line)
        m = re.search(r"API server listening at: 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        srv.kill()
        raise RuntimeError(f"{server_argv[0]} did not listen: {''.join(seen)}")
    c = Client(port)
    c.call("CreateBreakpoint", {"Breakpoint": {"functionName": function, "continue": True}})
    startup = time.monotonic() - t0
    for _ in range(100000):
        st = c.call("Command", {"name": "continue"})["State"]
        if st.get("exited"):
            break
    rss = peak_rss_kib(srv.pid)
    try:
        c.call("Detach", {"Kill": True})
    except RuntimeError:
        pass  # the server may close the connection as it ends
    srv.stdout.close()
    try:
        srv.wait(timeout=30)
    except subprocess.TimeoutExpired:
        srv.kill()
        srv.wait()
    return startup, rss


def main():
    argv = sys.argv[1:]
    prog_args = []
    if "--" in argv:
        i = argv.index("--")
        argv, prog_args = argv[:i], argv[i + 1:]
    gotrace, binary, function = argv[:3]
    runs = int(argv[3]) if len(argv) > 3 else 5
    servers = {
        "gotrace": [gotrace, "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0", binary],
        "dlv": ["dlv", "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0", binary],
    }
    results = {}
    for name, cmd in servers.items():
        if prog_args:
            cmd = cmd + ["--"] + prog_args
        samples = [run_once(cmd, function) for _ in range(runs)]
        results[name] = (statistics.median(s for s, _ in samples), statistics.median(r for _, r in samples))
    size = os.path.getsize(binary) / 1e6
    print(f"| server ({os.path.basename(binary)}, {size:.1f} MB, tracepoint on {function}, median of {runs}) "
          "| start-up to first tracepoint armed | peak RSS |")
    print("| --- | ---: | ---: |")
    for name, (startup, rss) in results.items():
        print(f"| {name} | {startup * 1000:.0f} ms | {rss / 1024:.1f} MiB |")
    g, d = results["gotrace"], results["dlv"]
    print(f"| gotrace / dlv | {g[0] / d[0]:.2f}x | {g[1] / d[1]:.2f}x |")


if __name__ == "__main__":
    main()
