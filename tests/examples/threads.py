"""A program of the shape of forktop's threads scenario (data/threads.conf),
for forktop's tests: MainProcess starts a daemonic child that works for ever
and a non-daemonic one that works 2 s, then a non-daemon thread that works
1 s and a daemon thread that would work 3 s, and ends its own work after
0.5 s. At its normal exit the interpreter first waits for the non-daemon
thread (the daemonic child still runs), then multiprocessing's exit routine
terminates the daemonic child (-15) and joins the other; the daemon thread
is cut off: its "finished" line never comes."""
import logging
import multiprocessing as mp
import sys
import threading
import time


def forever():
    while True:
        time.sleep(1)


def child_work():
    time.sleep(2)


def say(text):
    print(text, flush=True)


def work(seconds):
    time.sleep(seconds)
    say(f"{threading.current_thread().name} finished")


if __name__ == "__main__":
    mp.set_start_method("fork")
    mp.log_to_stderr(logging.INFO)
    mp.Process(target=forever, daemon=True).start()
    mp.Process(target=child_work, daemon=False).start()
    threading.Thread(target=work, args=(1,), daemon=False).start()
    threading.Thread(target=work, args=(3,), daemon=True).start()
    time.sleep(0.5)
    say("MainProcess: end of work")
