"""Daemon or not: what happens to each child when the main process ends.

Two children run the same endless loop; one is daemonic (daemon=True). The
main process does not join them: it simply ends after 3 seconds. At that
normal exit, Python's exit routine terminates the daemonic child (SIGTERM:
exit code -15) and waits for the other one, which therefore runs on until
it finishes its own 6 seconds. Watch DAEMON and EXIT.

    forktop --example daemon
"""
import multiprocessing as mp
import os
import time


def loop(seconds):
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): working for {seconds} s",
          flush=True)
    time.sleep(seconds)
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): done", flush=True)


if __name__ == "__main__":
    mp.Process(target=loop, args=(60,), name="Daemonic", daemon=True).start()
    mp.Process(target=loop, args=(6,), name="NonDaemonic", daemon=False).start()
    time.sleep(3)
    print("MainProcess: ending without join(): the exit routine takes over", flush=True)
