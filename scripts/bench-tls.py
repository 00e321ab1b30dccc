"""Data-path cost of TLS on one node. Run by scripts/bench-tls (which installs what it needs and builds first).

Two real redis-servers on free loopback ports in a temp dir, each secured with `bin/redis-tls install` (one with
--key-type ec-p256, our default; one with rsa-2048, the add-on's), then:

1. Throughput and p99 latency of SET and GET, TLS port vs plain port of the ec-p256 node, with and without
   pipelining, by redis-benchmark (Debian's redis-tools: C, hiredis + OpenSSL, the same stack as redis-cli; a Java
   client would spend more of the 2-core machine's CPU on its own TLS than the server does, and measure itself).
   With it, the server's own CPU per request (INFO cpu, before and after each run).
2. The server's CPU per 1,000 new connections (INFO cpu used_cpu_sys + used_cpu_user: getrusage of redis-server,
   so the client's cost is not in it), for full TLS handshakes and for resumed ones (TLS 1.3 session tickets), per
   key type; plain TCP connections as the baseline. The client is Python's ssl module (OpenSSL 3, as redis-cli),
   because it tells per connection whether the session was resumed (SSL_session_reused): every "full" connection
   must report not resumed and every "resumed" one resumed, or the run fails.

Rounds alternate the variants (order rotated each round); the section reports medians and min-max over rounds.
"""
import argparse
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "bin", "redis-tls")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Control:
    """A persistent plain RESP connection for INFO, so that reading the counters costs the same every time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def command(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        line = self._line()
        if line.startswith(b"$"):
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        return line.decode()

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cpu(self):
        """Seconds of CPU redis-server has used (all threads, user + system), microsecond resolution."""
        info = self.command("INFO", "cpu")
        f = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
        return float(f["used_cpu_sys"]) + float(f["used_cpu_user"])


class Node:
    def __init__(self, work, name, key_type, extra_conf=""):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.port, self.tls_port = free_port(), free_port()
        self.conf = os.path.join(self.dir, "redis.conf")
        self.keys = os.path.join(self.dir, "tls")
        with open(self.conf, "w") as f:
            # No persistence: a background save forking in the middle of a run would measure the disk, not TLS.
            f.write(f"port {self.port}\nbind 127.0.0.1\ndaemonize no\ndir {self.dir}\nsave \"\"\nappendonly no\n"
                    f"logfile {self.dir}/redis.log\n{extra_conf}")
        self.proc = subprocess.Popen(["redis-server", self.conf])
        for _ in range(200):
            try:
                self.control = Control(self.port)
                break
            except OSError:
                time.sleep(0.02)
        else:
            raise SystemExit("redis-server did not start; see " + self.dir + "/redis.log")
        out = subprocess.run([TOOL, "install", "--conf", self.conf, "--keys-dir", self.keys, "--ca-home",
                              os.path.join(self.dir, "ca"), "--tls-port", str(self.tls_port), "--key-type", key_type,
                              "--firewall", "none"], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"redis-tls install ({key_type}) failed:\n{out.stdout}{out.stderr}")
        self.install_output = out.stdout
        self.ca = os.path.join(self.keys, "client", "root.crt")
        self.client_cert = os.path.join(self.keys, "client", "client.crt")
        self.client_key = os.path.join(self.keys, "client", "client.key")

    def idle_cpu_rate(self, seconds=3.0):
        """CPU seconds per second the idle server spends (its cron), subtracted from each measurement."""
        c0, t0 = self.control.cpu(), time.perf_counter()
        time.sleep(seconds)
        return (self.control.cpu() - c0) / (time.perf_counter() - t0)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


# ---------------------------------------------------------------- new connections

def connections(node, n, kind, idle_rate):
    """n connections of one kind, each: connect, (handshake), PING, PONG, close. Returns server ms per 1,000."""
    tls = kind != "plain"
    ctx = None
    if tls:
        ctx = ssl.create_default_context(cafile=node.ca)  # verifies the chain and the host name, as clients should
        if kind == "full+cert":
            ctx.load_cert_chain(node.client_cert, node.client_key)
    resume = kind == "resumed"
    session = None
    if resume:  # prime: one full handshake outside the measurement, to have a ticket to offer
        session = one(node, ctx, None)[1]
    reused = 0
    c0, t0 = node.control.cpu(), time.perf_counter()
    for _ in range(n):
        was_reused, s = one(node, ctx, session)
        reused += was_reused
        if resume:
            session = s  # TLS 1.3 tickets: each connection's newest one, as a client library keeps it
    wall = time.perf_counter() - t0
    cpu = node.control.cpu() - c0 - idle_rate * wall
    want = n if resume else 0
    if tls and reused != want:
        raise SystemExit(f"{kind} on {node.dir}: {reused} of {n} connections resumed, expected {want}")
    return cpu * 1000 / n * 1000, wall


def one(node, ctx, session):
    s = socket.create_connection(("127.0.0.1", node.tls_port if ctx else node.port))
    try:
        if ctx:
            s = ctx.wrap_socket(s, server_hostname="localhost", session=session)
        # The PONG also means the client has read the TLS 1.3 tickets the server sent after its Finished.
        s.sendall(b"PING\r\n")
        got = b""
        while not got.endswith(b"\r\n"):
            got += s.recv(64)
        if got != b"+PONG\r\n":
            raise SystemExit("PING answered " + got.decode(errors="replace"))
        return (s.session_reused, s.session) if ctx else (False, None)
    finally:
        s.close()


def caching_off_check(work):
    """What a client that offers its ticket gets from a node whose redis.conf says `tls-session-caching no`."""
    node = Node(work, "nocache", "ec-p256", "tls-session-caching no\n")

    def offer():
        ctx = ssl.create_default_context(cafile=node.ca)
        session = one(node, ctx, None)[1]
        try:
            return "resumed" if one(node, ctx, session)[0] else "a full handshake (ticket ignored)"
        except (ssl.SSLError, OSError) as e:
            return f"a failed connection ({e.__class__.__name__}: {e})"
    try:
        with_certs = offer()
        node.control.command("CONFIG", "SET", "tls-auth-clients", "no")
        return with_certs, offer()
    finally:
        node.stop()


# ---------------------------------------------------------------- throughput

def redis_benchmark(node, tls, test, pipeline, requests, clients):
    args = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(node.tls_port if tls else node.port), "-t", test,
            "-n", str(requests), "-c", str(clients), "-P", str(pipeline), "-d", "100", "-r", "100000", "--csv"]
    if tls:
        args += ["--tls", "--cacert", node.ca]
    c0 = node.control.cpu()
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    out, err = p.stdout.read(), p.stderr.read()
    server_cpu = node.control.cpu() - c0
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {err}")
    row = [r for r in out.splitlines() if r.startswith('"' + test.upper())]
    if not row:
        raise SystemExit(f"no result for {test} in: {out} {err}")
    f = [x.strip('"') for x in row[0].split(",")]
    return {"rps": float(f[1]), "p50": float(f[4]), "p99": float(f[6]),
            "server_us": server_cpu / requests * 1e6, "client_us": (usage.ru_utime + usage.ru_stime) / requests * 1e6,
            "wall": wall}


# ---------------------------------------------------------------- report

def med(xs):
    return statistics.median(xs)


def spread(xs, fmt):
    return f"{fmt(med(xs))} ({fmt(min(xs))}–{fmt(max(xs))})"


def n0(x):
    return f"{x:,.0f}"


def n2(x):
    return f"{x:.2f}"


def n1(x):
    return f"{x:.1f}"


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--handshakes", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=100_000, help="per run without pipelining (x10 with -P 16)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    load_start = open("/proc/loadavg").read().split()[:3]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    work = tempfile.mkdtemp(prefix="redis-tls-bench-tls-")
    nodes = {}
    try:
        nodes["ec-p256"] = Node(work, "ec", "ec-p256")
        nodes["rsa-2048"] = Node(work, "rsa", "rsa-2048")
        ec = nodes["ec-p256"]
        idle = {k: n.idle_cpu_rate() for k, n in nodes.items()}
        # What the handshake negotiates, told by the client.
        ctx = ssl.create_default_context(cafile=ec.ca)
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", ec.tls_port)), server_hostname="localhost") as s:
            negotiated = f"{s.version()} {s.cipher()[0]}"

        conn_cells = [("plain", "ec-p256")] + [(k, t) for t in ("ec-p256", "rsa-2048")
                                               for k in ("full", "resumed", "full+cert")]
        tput_cells = [(tls, test, p) for p in (1, 16) for tls in (False, True) for test in ("set", "get")]
        conn = {c: [] for c in conn_cells}
        tput = {c: [] for c in tput_cells}
        loads = []
        for r in range(a.rounds):
            print(f"round {r + 1}/{a.rounds}, load average {' '.join(open('/proc/loadavg').read().split()[:3])}",
                  file=sys.stderr)
            loads.append(float(open("/proc/loadavg").read().split()[0]))
            order = conn_cells[r % len(conn_cells):] + conn_cells[:r % len(conn_cells)]
            for kind, key in order:
                conn[(kind, key)].append(connections(nodes[key], a.handshakes, kind, idle[key])[0])
            # SET before GET within a pipelining depth, so that GET finds the keys; plain and TLS alternate.
            order = tput_cells if r % 2 == 0 else [(not t, x, p) for t, x, p in tput_cells]
            for tls, test, p in order:
                n = a.requests * (10 if p > 1 else 1)
                tput[(tls, test, p)].append(redis_benchmark(ec, tls, test, p, n, a.clients))
        load_end = open("/proc/loadavg").read().split()[:3]
        caching_off = caching_off_check(work)
    finally:
        for n in nodes.values():
            try:
                n.stop()
            except Exception:  # noqa: BLE001 - best effort, the temp dir goes anyway
                pass
        shutil.rmtree(work, ignore_errors=True)

    # ---- the section
    cpu = sh("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'")
    ram = sh("sh", "-c", "awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    commit = sh("git", "-C", ROOT, "describe", "--always", "--dirty")
    L = []
    L.append("## Data-path cost of TLS")
    L.append("")
    L.append(f"Made by `scripts/bench-tls` ({started}, commit {commit}): {a.rounds} rounds, the variants alternating "
             "within each round (order rotated); each cell is the median over rounds, with min–max in brackets.")
    L.append(f"Machine: {os.cpu_count()} cores ({cpu}), {ram} RAM, {sh('uname', '-sr')}; {sh('redis-server', '--version').split(' sha')[0]}; "
             f"{sh('openssl', 'version').split(' (')[0]}; redis-benchmark {sh('redis-benchmark', '--version').split()[1]}; "
             f"Python {sys.version.split()[0]}. **Shared with other engineers' test runs**: load average "
             f"{' '.join(load_start)} at the start, {' '.join(load_end)} at the end (1-min value per round: "
             f"{', '.join(f'{x:.2f}' for x in loads)}). Client and server share the 2 cores, so throughput is a "
             "lower bound and moves with the load; the server-CPU figures are per request or per connection and "
             "move much less.")
    L.append("")
    L.append(f"Two redis-servers on loopback (no persistence, no password), each secured by `redis-tls install` "
             f"(dual mode: plain port kept, `tls-auth-clients optional`, TLS 1.2/1.3 intermediate profile); clients "
             f"negotiate {negotiated}.")
    L.append("")
    L.append(f"### Throughput and latency (ec-p256 node; redis-benchmark, {a.clients} connections, 100-byte values, "
             f"100,000 random keys, {a.requests:,} requests per run, ×10 with pipelining)")
    L.append("")
    L.append("requests/s: what redis-benchmark completed per second. p99: 99th percentile of its per-request latency. "
             "server µs/request: redis-server's CPU (INFO cpu) over the run divided by requests. "
             "client µs/request: redis-benchmark's own CPU (getrusage), to show which side runs out first.")
    L.append("")
    L.append("| command | pipeline | port | requests/s | TLS/plain | p99 ms | server CPU µs/request | client CPU µs/request |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|")
    headline = {}
    for p in (1, 16):
        for test in ("set", "get"):
            plain_rps = med([x["rps"] for x in tput[(False, test, p)]])
            for tls in (False, True):
                xs = tput[(tls, test, p)]
                rps = [x["rps"] for x in xs]
                ratio = "" if not tls else f"{med(rps) / plain_rps:.0%}"
                headline[(tls, test, p)] = med(rps)
                L.append(f"| {test.upper()} | {p} | {'TLS' if tls else 'plain'} | {spread(rps, n0)} | {ratio} | "
                         f"{spread([x['p99'] for x in xs], n2)} | {spread([x['server_us'] for x in xs], n2)} | "
                         f"{spread([x['client_us'] for x in xs], n2)} |")
    L.append("")
    L.append(f"### Server CPU per 1,000 new connections ({a.handshakes:,} per measurement)")
    L.append("")
    L.append("Each connection: TCP connect, TLS handshake (host name verified), PING, PONG, close; the CPU is "
             "redis-server's own (INFO cpu `used_cpu_sys` + `used_cpu_user`) over the batch, less its idle rate "
             f"(measured first: {', '.join(f'{k} {v * 1000:.2f} ms/s' for k, v in idle.items())}). "
             "\"full\": no session offered, a full handshake (certificate, signature, key exchange); "
             "\"resumed\": the client offers the TLS 1.3 ticket of its previous connection (Redis's default "
             "`tls-session-caching yes`), and every one of these connections reported `session_reused` (OpenSSL's own "
             "flag; a connection that did not resume fails the run); \"full + client cert\": full, with the client "
             "presenting its certificate (mutual TLS; the server verifies it). \"plain\": the same without TLS, on "
             "the plain port — what a connection costs Redis anyway.")
    L.append("")
    L.append("| connection | server key | server CPU ms per 1,000 connections | vs plain |")
    L.append("|---|---|---:|---:|")
    plain_ms = med(conn[("plain", "ec-p256")])
    names = {"plain": "plain TCP (no TLS)", "full": "TLS, full handshake", "resumed": "TLS, resumed (ticket)",
             "full+cert": "TLS, full + client cert"}
    for kind, key in conn_cells:
        xs = conn[(kind, key)]
        L.append(f"| {names[kind]} | {'–' if kind == 'plain' else key} | {spread(xs, n1)} | "
                 f"{'1.0×' if kind == 'plain' else f'{med(xs) / plain_ms:.1f}×'} |")
    L.append("")
    full_ec, full_rsa = med(conn[("full", "ec-p256")]), med(conn[("full", "rsa-2048")])
    res_ec = med(conn[("resumed", "ec-p256")])
    L.append(f"In short: a full handshake costs this server {full_ec / 1000:.2f} ms of CPU with ec-p256 and "
             f"{full_rsa / 1000:.2f} ms with rsa-2048 ({full_rsa / full_ec:.1f}×); a resumed one "
             f"{res_ec / 1000:.2f} ms; a plain connection {plain_ms / 1000:.2f} ms. "
             f"Without pipelining TLS keeps {headline[(True, 'get', 1)] / headline[(False, 'get', 1)]:.0%} of plain GET "
             f"throughput, with 16-deep pipelining {headline[(True, 'get', 16)] / headline[(False, 'get', 16)]:.0%}.")
    L.append("")
    L.append("\"Without resumption\" is the client offering no session: the server cannot turn TLS 1.3 tickets off. "
             "On a node whose redis.conf says `tls-session-caching no`, installed the same way, a client that offers "
             f"the ticket of its previous connection gets {caching_off[0]} (redis.log: \"session id context "
             f"uninitialized\": client certificates are requested and Redis sets no session id context when caching "
             f"is off); after `CONFIG SET tls-auth-clients no` the same gets: {caching_off[1]}.")
    L.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))


if __name__ == "__main__":
    main()
