"""A multiprocessing program for forktop's tests, under the start method
named on the command line (fork, spawn or forkserver): one daemonic child,
and one non-daemonic child that starts a grandchild. Under spawn and
forkserver, Python also starts a resource tracker, and under forkserver a
fork server that forks the children (a nested creator starts its own)."""
import multiprocessing as mp
import sys
import time


def rest(seconds):
    time.sleep(seconds)


def parent():
    child = mp.Process(target=rest, args=(1.2,))
    child.start()
    child.join()


if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    mp.Process(target=rest, args=(30,), daemon=True).start()
    worker = mp.Process(target=parent)
    worker.start()
    worker.join()
