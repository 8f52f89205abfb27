#!/usr/bin/env python3
"""bench/interleave.py — compare commands on a shared machine: their runs are interleaved (a random
order in each round), so that a change of load affects every command alike; hyperfine runs all the
runs of one command before the next.  Every run gets a fresh database: the word DB in a command is
replaced by a path whose file (and -wal, -shm, -journal) is removed before the run.  Prints the
median, the 10th and 25th percentiles (what a quiet machine gives) and the minimum, in ms.

Usage: bench/interleave.py RUNS 'COMMAND' ['COMMAND' …]
  e.g. bench/interleave.py 100 'old/sasae --db DB import --quiet data/sendai-2024-draft.txt' \\
                               'build-bench/sasae --db DB import --quiet data/sendai-2024-draft.txt'
A command may start with VAR=value words (its environment).  Standard output goes to /dev/null.
"""
import os
import random
import shlex
import statistics
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    cmds = sys.argv[2:]
    db = os.path.join(tempfile.mkdtemp(prefix="sasae-interleave."), "bench.db")
    parsed = []
    for c in cmds:
        words = shlex.split(c.replace("DB", db))
        env = dict(os.environ)
        while words and "=" in words[0] and not words[0].startswith(("/", ".")):
            k, v = words.pop(0).split("=", 1)
            env[k] = v
        parsed.append((words, env))
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = [[] for _ in cmds]
    warmup = 3
    for r in range(runs + warmup):
        order = list(range(len(cmds)))
        random.shuffle(order)
        for i in order:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(db + suffix)
                except FileNotFoundError:
                    pass
            words, env = parsed[i]
            t0 = time.perf_counter_ns()
            pid = os.posix_spawnp(words[0], words, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
            _, status = os.waitpid(pid, 0)
            t1 = time.perf_counter_ns()
            if status != 0:
                sys.exit(f"failed ({status}): {cmds[i]}")
            if r >= warmup:
                times[i].append((t1 - t0) / 1e6)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    for c, t in zip(cmds, times):
        t.sort()
        n = len(t)
        print(f"median {statistics.median(t):7.2f}  p10 {t[n // 10]:7.2f}  p25 {t[n // 4]:7.2f}  "
              f"min {t[0]:7.2f} ms  {c}")
    print(f"runs {runs} each, load average after: {load}")
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(db + suffix)
        except FileNotFoundError:
            pass
    os.rmdir(os.path.dirname(db))


if __name__ == "__main__":
    main()
