"""Names and current_process(): how Python names its processes.

A Process gets the name you give it, or Process-N (N counts the processes
its creator started); a child of a child is Process-N:M. Each process
prints what current_process() and parent_process() say, and forktop's NAME
column shows the same names.

    forktop --example names
"""
import multiprocessing as mp
import os
import time


def say():
    me, parent = mp.current_process(), mp.parent_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): my parent is "
          f"{parent.name if parent else None} (pid {os.getppid()})", flush=True)


def child():
    say()
    grandchild = mp.Process(target=grand)
    grandchild.start()
    grandchild.join()


def grand():
    say()
    time.sleep(3)


if __name__ == "__main__":
    say()
    kids = [mp.Process(target=child), mp.Process(target=child, name="Named-By-Me")]
    for p in kids:
        p.start()
    for p in kids:
        p.join()
