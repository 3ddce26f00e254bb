"""The three start methods: fork, spawn and forkserver.

A child is started with each method in turn. fork copies the parent; spawn
runs a fresh interpreter (its command line says spawn_main) and starts
multiprocessing's resource tracker; forkserver starts a fork server once,
and each child is forked by that server, not by its creator: look where it
hangs in the tree. Python's default is fork up to 3.13 on Linux, forkserver
from 3.14 on.

    forktop --example methods
"""
import multiprocessing as mp
import os
import time


def child(method):
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): started with {method}, "
          f"my parent process is pid {os.getppid()}", flush=True)
    time.sleep(2)


if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        p = ctx.Process(target=child, args=(method,), name=f"By-{method}")
        p.start()
        p.join()
