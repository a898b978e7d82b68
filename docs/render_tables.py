#!/usr/bin/env python3
"""Renders the result tables of README.md and docs/*.md from the CSVs under bench/results and jobs/results.

Each table sits between two marker lines in a Markdown file:
    <!-- BEGIN TABLE name -->
    ...generated...
    <!-- END TABLE name -->
and is rebuilt from the data every time this runs (`make docs`). With --check nothing is written: the exit
status is 1 when a file would change (the committed docs are out of date with the CSVs), else 0.
Python 3 standard library only. Every table names the machine, the commit and the command of its data.
"""
import csv
import glob
import io
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))

# The benchmark runs rendered: (CSV of make bench, CSV of bench/wide.sh) per machine.
BENCH_SETS = [
    ("bench/results/latest.csv", "bench/results/wide-latest.csv"),
    ("bench/results/avx512-zen5/bench.csv", "bench/results/avx512-zen5/wide.csv"),
    ("bench/results/avx2-zen3/bench.csv", "bench/results/avx2-zen3/wide.csv"),
]


def read_csv(path):
    """Returns (comments: dict of '# key: value' lines, rows: list of dicts) of a CSV with '#' header lines."""
    comments, lines = {}, []
    with open(os.path.join(ROOT, path), newline="") as f:
        for line in f:
            m = re.match(r"#\s*([\w-]+):\s*(.*)", line)
            if m:
                comments[m.group(1)] = m.group(2).strip()
            elif line.strip() and not line.startswith("#"):
                lines.append(line)
    return comments, list(csv.DictReader(io.StringIO("".join(lines))))


def machine_fields(line):
    """Parses `key=value key="quoted value"` pairs of a '# machine:' header."""
    return {k: v1 or v2 for k, v1, v2 in re.findall(r'([\w-]+)=(?:"([^"]*)"|(\S*))', line)}


def cell(text):
    return str(text).replace("|", "\\|").strip()


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return out


def machine_caption(path, comments):
    """One paragraph: the machine, the commit and the command, as the CSV's header lines state them."""
    m = machine_fields(comments.get("machine", ""))
    parts = []
    if m.get("nproc"):
        parts.append("%s cores (`nproc`)" % m["nproc"])
    if m.get("cpu"):
        parts.append(m["cpu"])
    if m.get("avx512"):
        parts.append("AVX-512: %s" % m["avx512"])
    for key, name in (("openmpi", "Open MPI"), ("gcc", "GCC")):
        if m.get(key):
            parts.append("%s %s" % (name, m[key]))
    if m.get("load-at-start"):
        parts.append("load average at start %s" % m["load-at-start"])
    text = "Machine: %s. Commit: `%s`. Command: %s. Data: [`%s`](%s)." % (
        ", ".join(parts) or "not stated", m.get("mpifactor", "not stated"),
        comments.get("command", "not stated"), path, rel_link(path))
    return [text, ""]


LINK_BASE = "."   # set per file being rendered: links are relative to the Markdown file


def rel_link(path):
    return os.path.relpath(os.path.join(ROOT, path), os.path.join(ROOT, LINK_BASE))


def bench_table(path):
    comments, rows = read_csv(path)
    out = machine_caption(path, comments)
    header = ["target", "workload", "numbers", "tool", "ranks", "wall s", "compute s", "ratio", "goal", "met"]
    body = [[r.get("target", ""), r.get("workload", ""), r.get("numbers", ""), r.get("tool", ""),
             r.get("ranks", ""), r.get("wall_s", ""), r.get("kernel_s", ""), r.get("ratio", ""),
             r.get("goal", ""), r.get("met", "")] for r in rows]
    return out + table(header, body)


def wide_table(path):
    comments, rows = read_csv(path)
    out = machine_caption(path, comments)
    header = ["target", "workload", "tool", "ranks", "wall s", "compute s", "candidates", "ns/candidate",
              "ns/candidate (CPU)", "goal", "met"]
    body = [[r.get("target", ""), r.get("workload", ""), r.get("tool", ""), r.get("ranks", ""),
             r.get("wall_s", ""), r.get("kernel_s", ""), r.get("candidates", ""), r.get("ns_per_candidate", ""),
             r.get("ns_per_candidate_cpu", ""), r.get("goal", ""), r.get("met", "")] for r in rows]
    return out + table(header, body)


def result_of(r):
    """The figure a goal judges: the ratio where there is one, else compute or wall seconds."""
    if r.get("ratio"):
        return r["ratio"]
    if r.get("ns_per_candidate") and "wall" not in r.get("goal", ""):
        return r["ns_per_candidate"] + " ns"
    if r.get("master_rss_mib"):
        return r["master_rss_mib"] + " MiB"
    if "kernel_s" in r.get("goal", "") and r.get("kernel_s"):
        return r["kernel_s"] + " s"
    return r["wall_s"] + " s" if r.get("wall_s") else ""


def headline():
    """One row per run of make bench: how many of its goals it met, and which it missed (latest.csv, a copy of one
    machine's run, is named in that run's row rather than shown twice)."""
    runs, seen = [], {}
    for bench, _ in BENCH_SETS:
        path = os.path.join(ROOT, bench)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        if data in seen:
            runs[seen[data]][1].append(bench)
            continue
        seen[data] = len(runs)
        runs.append((bench, [bench]))
    body = []
    for bench, names in runs:
        comments, rows = read_csv(bench)
        m = machine_fields(comments.get("machine", ""))
        good = total = 0
        missed = []
        for r in rows:
            met = (r.get("met") or "").lower()
            if not r.get("goal") or "no goal" in r["goal"] or met not in ("met", "not met"):
                continue
            total += 1
            if met == "met":
                good += 1
            else:
                tool = re.sub(r"^mpifactor ?", "", r.get("tool", "")) or "mpifactor"
                missed.append("%s, %s np %s: %s (goal %s)" % (r.get("target", ""), tool, r.get("ranks", "?"),
                                                           result_of(r), r.get("goal", "")))
        run = "%s %s cores, AVX-512 %s, commit `%s` (%s)" % (
            m.get("nproc", "?"), m.get("cpu", "?"), m.get("avx512", "?"), m.get("mpifactor", "?"),
            ", ".join("[`%s`](%s)" % (os.path.relpath(n, "bench/results"), rel_link(n)) for n in names))
        body.append([run, "%d of %d" % (good, total), "; ".join(missed) or "none"])
    text = ("Goals of `make bench` met, one row per run (machine, commit and command in each CSV's header); every "
            "target with its figures: [docs/performance.md](%s)." % rel_link("docs/performance.md"))
    return [text, ""] + table(["run", "goals met", "not met"], body)


def meta_blocks(path):
    """The sweeps of a meta.txt: a list of dicts (the first value of each key; 'point' lines as a list)."""
    blocks, cur = [], None
    with open(os.path.join(ROOT, path)) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("== sweep"):
                cur = {"points": [], "mode": line.split("(")[-1].rstrip(")")}
                blocks.append(cur)
            elif cur is not None and ": " in line and not line.startswith("=="):
                k, v = line.split(": ", 1)
                if k == "point":
                    cur["points"].append(v)
                else:
                    cur.setdefault(k, v)
    return blocks


def short_command(cmd):
    """The command as run from the repository root: absolute checkout paths dropped."""
    cmd = re.sub(r"/\S*?/(jobs/)", r"\1", cmd)
    return re.sub(r"--out \S*/(jobs/results/)", r"--out \1", cmd)


def scaling_table(directory, simulated):
    path = directory + "/scaling.csv"
    _, rows = read_csv(path)
    blocks = meta_blocks(directory + "/meta.txt") if os.path.exists(os.path.join(ROOT, directory, "meta.txt")) else []
    limits = {}
    if os.path.exists(os.path.join(ROOT, directory, "limits.csv")):
        limits = {r["ranks"]: r for r in read_csv(directory + "/limits.csv")[1]}
    out = []
    for b in blocks:
        source = b.get("source", "not stated").split(" ")[0]
        line = "%s sweep. Machine: %s. Commit: `%s`. Kernel: %s. Command: `%s`." % (
            b.get("mode", "?"), b.get("host", "not stated"), source, b.get("kernel", "not stated"),
            short_command(b.get("command", "not stated")))
        if simulated:
            line += " Simulated platform: %s." % b.get("simulated platform", "not stated")
            if b.get("simulated cost model"):
                line += " Cost model: %s." % b["simulated cost model"]
        out += [line, ""]
    out += ["Data: [`%s`](%s)." % (path, rel_link(path)), ""]
    time_name = "simulated s" if simulated else "wall s"
    header = ["mode", "ranks", "nodes", "numbers", time_name, "numbers/s", "speedup", "efficiency",
              "busy share mean", "busy share min"]
    if limits:
        header += ["busiest rank s", "rank 0 busy share", "numbers per rank (min-max)"]
    body = []
    for r in rows:
        row = [r["mode"], r["ranks"], r["nodes"], r["numbers"], "%.3f" % float(r["wall_s"]),
               "%.0f" % float(r["numbers_per_s"]), "%.2f" % float(r["speedup"]), "%.2f" % float(r["efficiency"]),
               "%.2f" % float(r["busy_share_mean"]), "%.2f" % float(r["busy_share_min"])]
        if limits:
            lim = limits.get(r["ranks"], {})
            row += [lim.get("busy_max_s", ""), lim.get("rank0_busy_share", ""),
                    "%s-%s" % (lim.get("numbers_min", ""), lim.get("numbers_max", "")) if lim else ""]
        body.append(row)
    return out + table(header, body)


def simulated_tables():
    out = []
    for d in sorted(glob.glob(os.path.join(ROOT, "jobs/results/simulated/*/scaling.csv"))):
        directory = os.path.relpath(os.path.dirname(d), ROOT)
        out += ["**%s**" % os.path.basename(directory), ""] + scaling_table(directory, True) + [""]
    return out[:-1]


# The rows of the README's simulated summary, the newest study of each workload: (result directory, workload,
# what limits the curve at its largest point, from docs/simulation.md's "What limits each curve").
SIMULATED_HEADLINE = [
    ("jobs/results/simulated/semiprime56", "2048 semiprimes of two 28-bit primes",
     "the last, costliest numbers: two per rank at 1024, some ranks get none"),
    ("jobs/results/simulated-avx2/at-0.102ns/random40", "1,000,000 random numbers < 2^40, AVX-512 VM's price",
     "the run's fixed cost, nearly half of 8 ms at 1024: start-up checks, rank 0 serving 64 leaders (~430 "
     "slices at 14 us), the stop, `--stats`; 0.52 and 0.57 in two runs"),
    ("jobs/results/simulated-avx2/random40", "1,000,000 random numbers < 2^40, AVX2 VM's price",
     "the same fixed cost against three times the factoring"),
    ("jobs/results/simulated/random40-10M", "10,000,000 random numbers < 2^40",
     "the same fixed cost against ten times the numbers"),
    ("jobs/results/simulated/weak40", "weak: 6,250 random numbers < 2^40 per rank",
     "the work grows with the ranks; rank 0 serves its 64 leaders"),
    ("jobs/results/simulated/weak4096", "weak: 3,125 random numbers < 2^40 per rank",
     "rank 0 serving 256 leaders, kids waiting for slices"),
    ("jobs/results/simulated/one80", "one 80-bit semiprime split over every rank",
     "ranges handed out before the factor's range reports (1.5-2.8% wasted), the last pieces' wait"),
]
HEADLINE_RANKS = ["64", "256", "1024", "4096"]


def charge_of(model):
    """How a sweep's meta.txt says factoring was charged, in a few words."""
    m = re.search(r"charged (\d+) x ([\d.]+) ns per candidate", model)
    if m:
        text = "%s ns per candidate" % m.group(2)
        if m.group(1) != "1":
            text = "%s x %s" % (m.group(1), text)
        return text + (" (given: `--candidate-ns`)" if "given by --candidate-ns" in model else " (calibrated)")
    m = re.search(r"charged (\d+) x its measured time", model)
    if m:
        return "as measured" + ("" if m.group(1) == "1" else " x " + m.group(1))
    return "not stated"


def simulated_headline():
    """Efficiency per workload and rank count from the newest simulated study of each, with its charge, machine
    and commit; one80's from its result.csv (median of its runs over an ESTIMATED 1-rank time)."""
    body, platforms = [], set()
    for directory, workload, limit in SIMULATED_HEADLINE:
        blocks = meta_blocks(directory + "/meta.txt")
        # one80's meta.txt also holds its 1-node probe sweeps: the row describes the sweeps over many nodes
        big = [b for b in blocks if b.get("simulated platform", "").split(" ")[0] != "1"] or blocks
        platforms |= {re.sub(r"^\d+ nodes x ", "nodes of ", b.get("simulated platform", "not stated")) for b in big}
        b = big[-1]
        if os.path.exists(os.path.join(ROOT, directory, "scaling.csv")):
            data = directory + "/scaling.csv"
            eff = {r["ranks"]: "%.2f" % float(r["efficiency"]) for r in read_csv(data)[1]}
        else:
            data = directory + "/result.csv"
            eff = {r["ranks"]: "%.2f (1 rank ESTIMATED)" % float(r["efficiency"])
                   for r in read_csv(data)[1] if r["rep"] == "median"}
        mode = "weak, against 16 ranks" if b.get("mode") == "weak" else "strong"
        machine = "%s, %s, commit `%s`" % (b.get("host", "?").replace("vm, ", ""), b.get("kernel", "?"),
                                           b.get("source", "?").split(" ")[0])
        links = "[data](%s)" % rel_link(data)
        if os.path.exists(os.path.join(ROOT, directory, "scaling.png")):
            links += ", [plot](%s)" % rel_link(directory + "/scaling.png")
        body.append([workload, mode] + [eff.get(r, "") for r in HEADLINE_RANKS] +
                    [limit, charge_of(b.get("simulated cost model", "")), machine, links])
    text = ("SIMULATED with SimGrid, not measured on a cluster: %s; every rank charged its own code's time as "
            "measured on the machine that ran the study, factoring as stated (per candidate: at the price of a "
            "calibration run of the smallest point, as 1024 ranks sharing one process's caches made each candidate "
            "cost 10-20%% more; F x: `--worker-cost F`, numbers F times as costly). Efficiency: speedup over 1 rank "
            "divided by the ranks, from the whole simulated run (above 1: the machine's speed drifted between "
            "points)." % "; ".join(sorted(platforms)))
    header = (["workload", "scaling"] + ["%s ranks" % r for r in HEADLINE_RANKS] +
              ["limited by", "factoring charged", "run on", "files"])
    return [text, ""] + table(header, body)


def real_tables():
    out = []
    for d in sorted(glob.glob(os.path.join(ROOT, "jobs/results/*/scaling.csv"))):
        directory = os.path.relpath(os.path.dirname(d), ROOT)
        if os.path.basename(directory) == "simulated":
            continue
        out += scaling_table(directory, False) + [""]
    return out[:-1]


SCHEDULE_STUDY = "jobs/results/schedule-study"
SCHEDULE_INPUTS = ("random", "skewed", "cheap")
SCHEDULE_POLICIES = ("adaptive", "map", "static")


def schedule_points(launcher):
    """{(input, ranks): {policy: run_s}} of make schedule-study's limits.csv files, for one launcher."""
    points = {}
    for name in SCHEDULE_INPUTS:
        path = os.path.join(SCHEDULE_STUDY, name, "limits.csv")
        if not os.path.exists(os.path.join(ROOT, path)):
            continue
        for r in read_csv(path)[1]:
            if r["launcher"] == launcher:
                points.setdefault((name, int(r["ranks"])), {})[r["schedule"]] = float(r["run_s"])
    return points


def schedule_caption():
    meta = {}
    path = os.path.join(ROOT, SCHEDULE_STUDY, "meta.txt")
    if os.path.exists(path):
        for line in open(path):
            key, _, value = line.partition(": ")
            meta.setdefault(key.strip(), value.strip())
    return ["Machine: %s. Commit: `%s`. Command: `%s`. Data: [`%s/`](%s)." % (
        meta.get("host", "not stated"), meta.get("source", "not stated"), meta.get("command", "not stated").strip(),
        SCHEDULE_STUDY, rel_link(SCHEDULE_STUDY)), ""]


def schedule_pivot(launcher):
    """run_s per input and rank count, one column per policy (simulated: and adaptive over the better other)."""
    sim = launcher == "smpirun"
    header = ["input", "ranks"] + list(SCHEDULE_POLICIES) + (["adaptive ÷ best other"] if sim else [])
    rows = []
    for (name, ranks), by in sorted(schedule_points(launcher).items(),
                                    key=lambda kv: (SCHEDULE_INPUTS.index(kv[0][0]), kv[0][1])):
        row = [name, str(ranks)] + ["%.4f" % by[p] if p in by else "—" for p in SCHEDULE_POLICIES]
        if sim:
            others = [by[p] for p in ("map", "static") if p in by]
            row.append("%.2f" % (by["adaptive"] / min(others)) if "adaptive" in by and others else "—")
        rows.append(row)
    return schedule_caption() + table(header, rows)


def schedule_all_points():
    """Every point with its limits: the study's own table.md."""
    path = os.path.join(ROOT, SCHEDULE_STUDY, "table.md")
    if not os.path.exists(path):
        return ["(no schedule study yet: run `make schedule-study`)"]
    return [line.rstrip("\n") for line in open(path) if line.startswith("|")]


TABLES = {
    "headline": headline,
    "bench": lambda: bench_table(BENCH_SETS[0][0]),
    "wide": lambda: wide_table(BENCH_SETS[0][1]),
    "bench-avx512": lambda: bench_table(BENCH_SETS[1][0]),
    "wide-avx512": lambda: wide_table(BENCH_SETS[1][1]),
    "bench-avx2": lambda: bench_table(BENCH_SETS[2][0]),
    "wide-avx2": lambda: wide_table(BENCH_SETS[2][1]),
    "scaling-real": real_tables,
    "scaling-simulated": simulated_tables,
    "simulated-headline": simulated_headline,
    "schedule-simulated": lambda: schedule_pivot("smpirun"),
    "schedule-real": lambda: schedule_pivot("mpirun"),
    "schedule-points": schedule_all_points,
}

MARK = re.compile(r"^<!-- BEGIN TABLE ([\w-]+) -->$")


def render(text, name_of_file):
    """Returns text with every marked table rebuilt; raises ValueError on an unknown or unclosed marker."""
    global LINK_BASE
    LINK_BASE = os.path.dirname(name_of_file) or "."
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        m = MARK.match(lines[i])
        out.append(lines[i])
        i += 1
        if not m:
            continue
        name = m.group(1)
        if name not in TABLES:
            raise ValueError("%s: unknown table '%s'" % (name_of_file, name))
        end = "<!-- END TABLE %s -->" % name
        while i < len(lines) and lines[i] != end:
            i += 1
        if i == len(lines):
            raise ValueError("%s: no '%s'" % (name_of_file, end))
        out += [""] + TABLES[name]() + [""]
    return "\n".join(out)


def main(argv):
    check = "--check" in argv
    stale = []
    for name in DOCS:
        path = os.path.join(ROOT, name)
        with open(path) as f:
            old = f.read()
        new = render(old, name)
        if new != old:
            stale.append(name)
            if not check:
                with open(path, "w") as f:
                    f.write(new)
    for name in stale:
        print("%s: %s" % ("out of date" if check else "updated", name))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
