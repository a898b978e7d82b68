#!/usr/bin/env python3
"""Checks the relative links of Markdown files, for tests/docs/run.sh: each target exists, and a #anchor names
a heading of the target (GitHub's slugs). Usage: links.py ROOT FILE...; prints 'ok FILE: N links' or
'bad FILE: TARGET (why)' per file or broken link."""
import os
import re
import sys

LINK = re.compile(r"!?\[[^\]]*\]\(([^()\s]+)\)")


def slugs(path):
    out, fence = set(), False
    for line in open(path):
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"#{1,6} ", line):
            text = re.sub(r"[`*_]", "", line.lstrip("#").strip()).lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


def main(root, files):
    bad = 0
    for f in files:
        n, fence, bad_here = 0, False, 0
        base = os.path.dirname(os.path.join(root, f))
        for line in open(os.path.join(root, f)):
            if line.startswith("```"):
                fence = not fence
            if fence:
                continue
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue
                n += 1
                path, _, anchor = target.partition("#")
                full = os.path.normpath(os.path.join(base, path)) if path else os.path.join(root, f)
                why = ""
                if not os.path.exists(full):
                    why = "no such file"
                elif anchor and full.endswith(".md") and anchor not in slugs(full):
                    why = "no heading #" + anchor
                if why:
                    bad_here += 1
                    print("bad %s: %s (%s)" % (f, target, why))
        if not bad_here:
            print("ok %s: %d links" % (f, n))
        bad += bad_here
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
