#!/usr/bin/env python3
"""Lists the commands of the ```sh blocks of Markdown files, for tests/docs/run.sh.

Usage: extract.py SUITES FILE...  Prints one record per command, NUL-separated fields, records ending in a NUL
too: FILE, SECTION (the '## ' heading it sits under), NOT_RUN (the reason of a '<!-- not run: REASON -->' line
right before the block, else empty), COMMAND (continuation lines joined), EXPECTED (the contents of a ```text
block right after the block, for its last command; '\\x01' when there is none), ELSEWHERE (the first of the
space-separated SUITES that runs the command verbatim: it holds the command, its trailing comment dropped,
between blanks, quotes or parentheses, continuation lines joined; or, for jobs/X, X with jobs/ on its PATH).
A line of a block that is blank or starts with '#' is not a command.
"""
import re
import sys

NONE = "\x01"


def commands(path):
    lines = open(path).read().split("\n")
    section, out, i, last = "", [], 0, ""
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.strip() == "```sh":
            m = re.match(r"<!-- not run: (.+?) -->$", last.strip())
            reason = m.group(1) if m else ""
            i += 1
            block = []
            while i < len(lines) and lines[i].strip() != "```":
                block.append(lines[i])
                i += 1
            cmds, cur = [], ""
            for b in block:
                if cur:
                    cur += " " + b.strip()
                else:
                    if not b.strip() or b.lstrip().startswith("#"):
                        continue
                    cur = b
                if cur.endswith("\\"):
                    cur = cur[:-1].rstrip()
                    continue
                cmds.append(cur)
                cur = ""
            if cur:
                cmds.append(cur)
            expected = NONE
            if i + 1 < len(lines) and lines[i + 1].strip() == "```text":
                j, text = i + 2, []
                while j < len(lines) and lines[j].strip() != "```":
                    text.append(lines[j])
                    j += 1
                expected = "\n".join(text) + "\n"
                i = j
            for n, c in enumerate(cmds):
                out.append((path, section, reason, c, expected if n == len(cmds) - 1 else NONE))
        if line.strip():
            last = line
        i += 1
    return out


def suite_text(path):
    text = re.sub(r"\\\n\s*", " ", open(path).read())
    return re.sub(r"[ \t]+", " ", text)


def elsewhere(cmd, suites):
    cmd = re.sub(r"\s+", " ", re.sub(r"\s+#\s.*$", "", cmd)).strip()
    def found(c, text):
        return re.search(r"(^|[\s('\"])" + re.escape(c) + r"($|[\s)'\";|&>])", text, re.M) is not None
    for path, text in suites:
        if found(cmd, text) or (cmd.startswith("jobs/") and "PATH=$ROOT/jobs:$PATH" in text and found(cmd[5:], text)):
            return path
    return ""


def main(argv):
    suites = [(p, suite_text(p)) for p in argv[0].split()]
    for path in argv[1:]:
        for rec in commands(path):
            sys.stdout.write("\0".join(rec + (elsewhere(rec[3], suites),)) + "\0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
