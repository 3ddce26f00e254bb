"""A parent killed with live children: orphans.

A child starts two children of its own, then kills itself with SIGKILL:
no exit routine runs, nothing joins or terminates its children, and they
live on as orphans, re-parented to PID 1 (or to forktop, a subreaper with
forktop --subreaper). The main process joins the child it started (-9),
then the orphans end on their own. Watch PPID and the orphan notes.

    forktop --example orphans
"""
import multiprocessing as mp
import os
import signal
import time


def orphan():
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): my parent is pid "
          f"{os.getppid()}", flush=True)
    time.sleep(4)
    print(f"{me.name} (pid {os.getpid()}): now my parent is pid {os.getppid()}", flush=True)


def parent():
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): starting two children",
          flush=True)
    for _ in range(2):
        mp.Process(target=orphan).start()
    time.sleep(1.5)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    p = mp.Process(target=parent, name="Parent")
    p.start()
    p.join()
    print(f"{p.name} (pid {p.pid}, daemon={p.daemon}): exitcode {p.exitcode}", flush=True)
    time.sleep(4)
