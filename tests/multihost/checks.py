#!/usr/bin/env python3
"""Output checks for the multi-host test that need a JSON parser.

usage:
  checks.py jsonl OUTPUT LIST
      every line of OUTPUT is a JSON object; one line per number of LIST (one number a line), in order;
      each object names its number and lists prime factors whose product is that number
  checks.py stats STATS RANKS NUMBERS MASTER_HOST WORKER_HOSTS [MIN_WORKER_HOSTS]
      STATS (the --stats JSON) has RANKS ranks and NUMBERS numbers; rank 0 ran on MASTER_HOST; every
      other rank ran on one of WORKER_HOSTS (comma separated), and at least MIN_WORKER_HOSTS (default:
      all) of them did work (numbers > 0)
  checks.py leaders STATS N
      STATS counts N node leaders ("leaders"); each rank whose parent is not 0 ran on its parent's host, did work,
      and its parent handed out units, at most one of them on rank 0's host (rank 1 there); with N = 0 every
      rank's parent is 0
Prints what is wrong and exits 1; exits 0 when all holds.
"""
import json
import math
import sys


def as_int(value):
    """The integer a JSON value spells (int or decimal string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def check_jsonl(output, listing):
    """Checks a --format jsonl output against the input numbers; returns a list of problems."""
    with open(listing, encoding="ascii") as f:
        numbers = [int(line) for line in f if line.strip()]
    try:
        with open(output, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as err:
        return [f"cannot read the output: {err}"]
    problems = []
    if len(lines) != len(numbers):
        problems.append(f"{len(lines)} lines for {len(numbers)} numbers")
    for i, (line, n) in enumerate(zip(lines, numbers), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"line {i}: not JSON ({err}): {line[:80]}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {i}: not a JSON object: {line[:80]}")
            continue
        if not any(as_int(v) == n for v in obj.values()):
            problems.append(f"line {i}: no field holds the number {str(n)[:40]}: {line[:80]}")
        lists = [v for v in obj.values() if isinstance(v, list)]
        factors = None
        for candidate in lists:
            ints = [as_int(x) for x in candidate]
            if all(x is not None for x in ints):
                factors = ints
                break
        if factors is None:
            problems.append(f"line {i}: no list of integer factors: {line[:80]}")
        elif (math.prod(factors) if n > 1 else (1 if n == 1 else 0)) != n or (n < 2 and factors):
            problems.append(f"line {i}: factors do not multiply to {str(n)[:40]}: {line[:80]}")
        elif factors != sorted(factors):
            problems.append(f"line {i}: factors not in ascending order: {line[:80]}")
        if obj.get("complete", True) is not True:
            problems.append(f"line {i}: not marked complete: {line[:80]}")
        if len(problems) > 10:
            problems.append("...")
            break
    return problems


def check_stats(path, ranks, numbers, master, workers, min_worker_hosts):
    """Checks the --stats JSON for rank count, number count and where the ranks ran; returns problems."""
    try:
        with open(path, encoding="utf-8") as f:
            stats = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        return [f"cannot read the stats: {err}"]
    if not isinstance(stats, dict):
        return ["the stats are not a JSON object"]
    problems = []
    if stats.get("ranks") != ranks:
        problems.append(f"ranks={stats.get('ranks')}, expected {ranks}")
    if stats.get("numbers") != numbers:
        problems.append(f"numbers={stats.get('numbers')}, expected {numbers}")
    per_rank = stats.get("per_rank")
    if not isinstance(per_rank, list) or len(per_rank) != ranks:
        problems.append(f"per_rank has {len(per_rank) if isinstance(per_rank, list) else 'no'} entries")
        return problems
    by_rank = {r.get("rank"): r for r in per_rank}
    if sorted(by_rank) != list(range(ranks)):
        problems.append(f"per_rank ranks are {sorted(by_rank, key=str)}")
        return problems
    if by_rank[0].get("host") != master:
        problems.append(f"rank 0 ran on {by_rank[0].get('host')!r}, expected {master!r}")
    busy_hosts = set()
    for r in range(1, ranks):
        host = by_rank[r].get("host")
        if host not in workers:
            problems.append(f"rank {r} ran on {host!r}, expected one of {workers}")
        elif (by_rank[r].get("numbers") or 0) > 0:
            busy_hosts.add(host)
    if len(busy_hosts) < min_worker_hosts:
        problems.append(f"only {sorted(busy_hosts)} of the worker hosts {workers} factored numbers")
    total = sum(r.get("numbers") or 0 for r in per_rank)
    if total != numbers:
        problems.append(f"per_rank numbers add up to {total}, expected {numbers}")
    hosts = ", ".join(f"{r}@{by_rank[r].get('host')}:{by_rank[r].get('numbers')}" for r in range(ranks))
    print(f"  per_rank rank@host:numbers {hosts}")
    return problems


def check_leaders(path, want):
    """Checks the --stats JSON for N node leaders that served their own hosts; returns problems."""
    try:
        with open(path, encoding="utf-8") as f:
            stats = json.load(f)
        by_rank = {r["rank"]: r for r in stats["per_rank"]}
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as err:
        return [f"cannot read the stats: {err}"]
    problems = [f"rank {r} has no parent" for r, x in by_rank.items() if not isinstance(x.get("parent"), int)]
    if problems:
        return problems
    if stats.get("leaders") != want:
        problems.append(f"leaders={stats.get('leaders')}, expected {want}")
    leaders = sorted({r.get("parent") for r in by_rank.values() if r.get("parent") not in (0, -1)})
    if len(leaders) != want:
        problems.append(f"ranks take work from leaders {leaders}, expected {want} of them")
    for k in leaders:
        lead = by_rank.get(k, {})
        if lead.get("parent") != 0 or not lead.get("units_served"):
            problems.append(f"leader {k} took no work from rank 0 or handed out none: {lead}")
        if lead.get("host") == by_rank[0].get("host") and k != 1:
            problems.append(f"leader {k} ran on rank 0's host {lead.get('host')!r} and is not rank 1")
    for r in by_rank.values():
        p = r.get("parent")
        if p in (0, -1):
            continue
        if r.get("host") != by_rank.get(p, {}).get("host") or not r.get("numbers"):
            problems.append(f"rank {r.get('rank')} (host {r.get('host')!r}) took work from {p} and factored {r.get('numbers')}")
    served = ", ".join(f"{k}@{by_rank[k].get('host')}:{by_rank[k].get('units_served')}" for k in leaders)
    print(f"  leaders rank@host:units_served {served or 'none'}")
    return problems


def main(argv):
    """Entry point; see the module docstring."""
    sys.set_int_max_str_digits(0)
    if len(argv) == 4 and argv[1] == "jsonl":
        problems = check_jsonl(argv[2], argv[3])
    elif len(argv) in (7, 8) and argv[1] == "stats":
        workers = argv[6].split(",")
        need = int(argv[7]) if len(argv) == 8 else len(workers)
        problems = check_stats(argv[2], int(argv[3]), int(argv[4]), argv[5], workers, need)
    elif len(argv) == 4 and argv[1] == "leaders":
        problems = check_leaders(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    for p in problems:
        print(f"  {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
