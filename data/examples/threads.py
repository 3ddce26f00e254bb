"""Daemon threads: the line a daemon thread never prints.

Two threads of one process count, one second a step, and print
"Finishing" at the end: the non-daemon one to 4, the daemon one to 8. The
main thread ends after 2 seconds. Python waits for the non-daemon thread,
so its "Finishing" line comes; the daemon thread is still counting when the
process exits, is cut off, and its line never comes. Press H
in forktop to see the threads, with their names and daemon flags.

    forktop --example threads
"""
import os
import threading
import time


def count(name, steps):
    me = threading.current_thread()
    print(f"{name} (tid {me.native_id}, daemon={me.daemon}): starting", flush=True)
    for _ in range(steps):
        time.sleep(1)
    print(f"{name} (tid {me.native_id}, daemon={me.daemon}): Finishing", flush=True)


if __name__ == "__main__":
    threading.Thread(target=count, args=("Daemonic", 8), name="Daemonic", daemon=True).start()
    threading.Thread(target=count, args=("NonDaemonic", 4), name="NonDaemonic").start()
    time.sleep(2)
    print(f"MainThread (pid {os.getpid()}): main ends here; Python waits for NonDaemonic",
          flush=True)
