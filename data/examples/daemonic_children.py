"""A daemonic process may not have children.

A daemonic child tries to start a child of its own. multiprocessing
refuses: AssertionError, "daemonic processes are not allowed to have
children". (A daemonic process is terminated when its creator exits; the
children it left behind would be orphans.) The daemonic child catches the
error, says so, and ends.

    forktop --example daemonic_children
"""
import multiprocessing as mp
import os
import time


def grandchild():
    time.sleep(1)


def daemonic():
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): starting a child", flush=True)
    time.sleep(1)
    try:
        mp.Process(target=grandchild).start()
    except AssertionError as e:
        print(f"{me.name}: AssertionError: {e}", flush=True)
    time.sleep(2)


if __name__ == "__main__":
    p = mp.Process(target=daemonic, name="Daemonic", daemon=True)
    p.start()
    p.join()
    print(f"{p.name} (pid {p.pid}, daemon={p.daemon}): exitcode {p.exitcode}", flush=True)
