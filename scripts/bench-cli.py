"""Writes the section "## Cold start: cli, status, renew" of docs/benchmarks.md from what scripts/bench-cli measured.

Usage: bench-cli.py WORK_DIR BENCHMARKS_MD, with the BENCH_* variables scripts/bench-cli exports. WORK_DIR holds
runs.tsv (one line per timed run: variant, round, wall µs, peak KiB, CPU ms (user + system, all threads), 1-minute
load, start in epoch µs, the start-up trace as "EPOCH_µs NAME;..."), counters.tsv (per variant: jstat -snap of the JVM's counters, and the
class-load log as "name|source ...") and flags-N.tsv (cli PING runs with the Nth JVM flag variant).
"""
import collections
import os
import re
import statistics
import sys

HEADING = "## Cold start: cli, status, renew"
GOALS = {"cli": ("cli ... PING", 250), "status": ("status", 400), "renew": ("renew (nothing due)", 300)}
RSS_GOAL_MIB = 64
LIBRARIES = [("Bouncy Castle", "org.bouncycastle."), ("Apache MINA SSHD", "org.apache.sshd."),
             ("Jackson", "com.fasterxml.jackson."), ("Jedis", "redis.clients.jedis."), ("picocli", "picocli."),
             ("JLine", "org.jline.")]
FIRST = "launcher, JVM start, main class"
LAST = "JVM exit"
# Marks whose phase reads better under another name.
NAMES = {"main": FIRST, "parse": "parse the command line", "exit": "rest of the command (output, closing)"}


def quantiles(values):
    v = sorted(values)
    if len(v) < 2:
        return v[0], v[0], v[0]
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], statistics.median(v), q[2]


def fmt(ms):
    return f"{ms:.0f}" if ms >= 10 else f"{ms:.1f}"


def read_runs(path):
    runs = collections.defaultdict(list)
    if not os.path.exists(path):
        return runs
    for line in open(path):
        variant, rnd, wall, rss, cpu, load, start, trace = (line.rstrip("\n").split("\t") + [""])[:8]
        marks = []
        for m in filter(None, trace.split(";")):
            epoch, name = m.split(" ", 1)
            marks.append((int(epoch), name))
        runs[int(variant)].append({"round": int(rnd), "wall": int(wall) / 1000, "rss": int(rss) / 1024, "cpu": int(cpu),
                                   "load": float(load), "start": int(start), "marks": marks})
    return runs


def phases(run):
    """The run's phases in ms, in order: what came before each mark, and after the last one."""
    out, prev = [], run["start"]
    for epoch, name in run["marks"]:
        out.append((NAMES.get(name, name), (epoch - prev) / 1000))
        prev = epoch
    if run["marks"]:
        out.append((LAST, run["start"] / 1000 + run["wall"] - prev / 1000))
    return out


def breakdown(runs_by_label):
    """Median ms of every phase name, per label; names in the order they happen (the first label's first)."""
    names, medians = [], {}
    for label, runs in runs_by_label.items():
        per = collections.defaultdict(list)
        for r in runs:
            for name, ms in phases(r):
                per[name].append(ms)
                if name not in names:
                    names.append(name)
        medians[label] = {n: statistics.median(v) for n, v in per.items()}
    names.sort(key=lambda n: (n == LAST,))
    return names, medians


def counters(work):
    """Per variant, the median of each counter over its runs."""
    runs = collections.defaultdict(list)
    path = os.path.join(work, "counters.tsv")
    if not os.path.exists(path):
        return {}
    for line in open(path):
        variant, snap, classes = line.rstrip("\n").split("\t")
        c = dict(kv.split("=", 1) for kv in snap.split() if "=" in kv)
        num = lambda k: float(c.get(k, "0").strip('"') or 0)
        freq = num("sun.os.hrt.frequency") or 1e9
        libs = collections.Counter()
        for entry in classes.split():
            name = entry.split("|", 1)[0]
            for lib, prefix in LIBRARIES:
                if name.startswith(prefix):
                    libs[lib] += 1
        runs[int(variant)].append({
            "create": num("sun.rt.createVmEndTime") - num("sun.rt.createVmBeginTime"),
            "shared": num("java.cls.sharedLoadedClasses"),
            "loaded": num("java.cls.sharedLoadedClasses") + num("java.cls.loadedClasses"),
            "loading": num("sun.cls.time") / freq * 1000,
            "init": num("sun.cls.classInitTime.self") / freq * 1000,
            "libs": libs,
        })
    out = {}
    for v, rs in runs.items():
        m = {k: statistics.median(r[k] for r in rs) for k in ("create", "shared", "loaded", "loading", "init")}
        m["libs"] = {l: statistics.median(r["libs"][l] for r in rs) for l, _ in LIBRARIES}
        out[v] = m
    return out


def main():
    work, doc = sys.argv[1], sys.argv[2]
    env = os.environ
    variants = [tuple(v.split("|", 1)) for v in env["BENCH_VARIANTS"].splitlines()]
    flags = env["BENCH_FLAGS"].splitlines()
    runs = read_runs(os.path.join(work, "runs.tsv"))
    new, base = f"redis-tls {env['BENCH_NEW']}", f"redis-tls {env['BENCH_BASE']}"
    loads = sorted({(r["round"], r["load"]) for rs in runs.values() for r in rs})
    load_values = [l for _, l in loads]
    n = env["BENCH_RUNS"]
    count = int(env.get("BENCH_RENEWED", "0").strip() or 0)
    renewed = "one run" if count == 1 else f"{count} runs"

    lines = [HEADING, "",
             f"Made by `scripts/bench-cli {n} --against {env['BENCH_BASE']}` ({env['BENCH_DATE']}): the build of commit "
             f"{env['BENCH_NEW']} against that of {env['BENCH_BASE']}, each started by its `bin/redis-tls` with its own "
             "class-data archive (as `mvn package` made it), and `redis-cli` where there is one to compare with.",
             f"Machine: {env['BENCH_MACHINE']}; {env['BENCH_JAVA']}; Redis {env['BENCH_REDIS']}. "
             f"**Shared with other engineers' test runs**: load average {env['BENCH_LOAD_START']} at the start, "
             f"{env['BENCH_LOAD_END']} at the end; the 1-minute value over the {len(load_values)} rounds was "
             f"{min(load_values):.2f}–{max(load_values):.2f} (median {statistics.median(load_values):.2f}). On 2 cores "
             "under that load a process waits for a core part of the time: the wall times below are what an operator "
             "on this machine saw, and an idle machine's are lower.",
             "",
             f"{n} rounds; in each, every variant ran once, in an order rotated from round to round; one untimed run of "
             "each came first. Wall time of the whole process (launcher script included) from the benchmark's clock; "
             "CPU is user + system time of all the process's threads (GNU time, 10 ms steps), which other work on the "
             "machine changes much less than the wall time; peak memory is the maximum resident set size. `cli ... PING`: mutual TLS (ECDSA P-256, "
             "TLS 1.3), password from REDISCLI_AUTH, host name verified, on a local TLS-only redis-server. `status`: "
             "a local node that `redis-tls install` secured (config, keys dir, install record, a TLS handshake with "
             "the served certificate compared, CONFIG GET, CLIENT LIST). `renew`: the same node, nothing due"
             + (f" ({renewed} found the host's addresses changed by other work, rightly reissued the server "
                "certificate, and was run again: only runs with nothing due are counted)." if renewed else "."),
             "",
             "| command | client | median ms | quartiles ms | min–max ms | CPU ms (median) | peak memory (median) | goal |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for i, (cmd, client) in enumerate(variants):
        rs = runs.get(i, [])
        if not rs:
            continue
        q1, med, q3 = quantiles([r["wall"] for r in rs])
        walls = [r["wall"] for r in rs]
        rss = statistics.median(r["rss"] for r in rs)
        goal = ""
        if client == new:
            what, ms = GOALS[cmd]
            goal = f"≤ {ms} ms: {'met' if med <= ms else f'missed by {med - ms:.0f} ms'}"
            if cmd == "cli":
                goal += f"; ≤ {RSS_GOAL_MIB} MiB: {'met' if rss <= RSS_GOAL_MIB else f'missed by {rss - RSS_GOAL_MIB:.1f} MiB'}"
        cpu = statistics.median(r["cpu"] for r in rs)
        lines.append(f"| `{GOALS[cmd][0]}` | {client} | **{fmt(med)}** | {fmt(q1)}–{fmt(q3)} | "
                     f"{fmt(min(walls))}–{fmt(max(walls))} | {cpu:.0f} | {rss:.1f} MiB | {goal} |")

    lines += ["", "### Where the time goes, before and after",
              "",
              "Median ms of each phase over the same runs, from the start-up trace (`-Dredis-tls.startup-trace`: "
              "each mark ends the phase before it; the first phase runs from the benchmark's clock to `main`, the last "
              "from the last mark to the process's end, the JVM shutting down). A build without a mark has no row "
              "for it; the phases' medians need not add up to the median total.",
              ""]
    for cmd in ("cli", "status", "renew"):
        by_label = {client: runs.get(i, []) for i, (c, client) in enumerate(variants)
                    if c == cmd and client != "redis-cli"}
        names, medians = breakdown(by_label)
        labels = [l for l in (base, new) if l in by_label]
        lines += [f"`{GOALS[cmd][0]}`:", "", "| phase | " + " | ".join(labels) + " |",
                  "|---|" + "---:|" * len(labels)]
        for name in names:
            cells = [fmt(medians[l][name]) if name in medians[l] else "" for l in labels]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        totals = [fmt(statistics.median(r["wall"] for r in by_label[l])) for l in labels]
        lines += ["| **total (median wall time)** | " + " | ".join(f"**{t}**" for t in totals) + " |", ""]

    c = counters(work)
    if c:
        lines += ["### What the JVM did (its own counters, median of three runs of each)", "",
                  "JVM creation: `sun.rt.createVmEndTime - createVmBeginTime`. Classes: `java.cls.*LoadedClasses`; "
                  "\"from the archive\" were mapped from the class-data-sharing archive, the rest read and verified "
                  "from the jar or the runtime image. Class loading and initialization: `sun.cls.time` and "
                  "`sun.cls.classInitTime.self`. Per library: lines of `-Xlog:class+load`.", "",
                  "| command | build | JVM creation ms | classes loaded | from the archive | class loading ms "
                  "| class initialization ms | " + " | ".join(l for l, _ in LIBRARIES) + " |",
                  "|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(LIBRARIES)]
        for i, (cmd, client) in enumerate(variants):
            if i in c:
                x = c[i]
                lines.append(f"| `{GOALS[cmd][0]}` | {client} | {x['create']:.0f} | {x['loaded']:.0f} | {x['shared']:.0f} | "
                             f"{x['loading']:.0f} | {x['init']:.0f} | "
                             + " | ".join(f"{x['libs'][l]:.0f}" for l, _ in LIBRARIES) + " |")
        lines.append("")

    flag_rows = []
    for f, label in enumerate(flags):
        rs = read_runs(os.path.join(work, f"flags-{f}.tsv")).get(1, [])
        if rs:
            q1, med, q3 = quantiles([r["wall"] for r in rs])
            flag_rows.append(f"| {label} | **{fmt(med)}** | {fmt(q1)}–{fmt(q3)} | "
                             f"{statistics.median(r['cpu'] for r in rs):.0f} | "
                             f"{statistics.median(r['rss'] for r in rs):.1f} MiB |")
    if flag_rows:
        lines += ["### JVM flags, measured on `cli ... PING` (the build above)", "",
                  f"The same {n} rounds, variants rotated; each row changes one thing against the first.", "",
                  "| JVM | median ms | quartiles ms | CPU ms (median) | peak memory (median) |",
                  "|---|---:|---:|---:|---:|"] + flag_rows + [""]

    section = "\n".join(lines).rstrip("\n") + "\n"
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    # This section replaces the one it grew from ("## redis-tls cli"), in its place.
    for old in (HEADING, "## redis-tls cli"):
        pattern = re.compile(r"^" + re.escape(old) + r"\n.*?(?=^## |\Z)", re.S | re.M)
        if pattern.search(text):
            text = pattern.sub(lambda m: section + "\n", text, count=1)
            section = ""
            break
    if section:
        text = text.rstrip("\n") + "\n\n" + section
    text = re.sub(r"^## redis-tls cli\n.*?(?=^## |\Z)", "", text, flags=re.S | re.M)
    open(doc, "w").write(text.rstrip("\n") + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
