"""Exit codes: what Process.exitcode says about how a child ended.

A good job returns (0), a job that calls sys.exit(3) ends with 3, a job
that raises ends with 1 (and its traceback goes to stderr), and a job that
the main process terminates ends with -15: minus the signal (SIGTERM) that
killed it. Watch EXIT, and in the event log where each code came from
and why: run() returned, called sys.exit(3), or raised ValueError.

    forktop --example exitcodes
"""
import multiprocessing as mp
import os
import sys
import time


def good():
    time.sleep(1)


def exits_three():
    time.sleep(1.5)
    sys.exit(3)


def fails():
    time.sleep(2)
    raise ValueError("this job fails")


def runs_on():
    time.sleep(60)


if __name__ == "__main__":
    jobs = [mp.Process(target=f, name=n) for f, n in (
        (good, "GoodJob"), (exits_three, "ExitsThree"), (fails, "FailingJob"),
        (runs_on, "TerminatedJob"))]
    for p in jobs:
        p.start()
    time.sleep(2.5)
    jobs[3].terminate()
    for p in jobs:
        p.join()
        print(f"{p.name} (pid {p.pid}, daemon={p.daemon}): exitcode {p.exitcode}", flush=True)
