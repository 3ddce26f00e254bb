"""multiprocessing's own log: log_to_stderr() says what it does.

With log_to_stderr(logging.INFO), each process logs as it starts its work,
and at its exit: "process shutting down", "calling terminate() for daemon
...", "calling join() for process ...", "process exiting with exitcode N".
forktop shows those lines as the program's output, beside the same facts
told by its Python hook.

    forktop --example log_to_stderr
"""
import logging
import multiprocessing as mp
import os
import time


def work(seconds):
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): working", flush=True)
    time.sleep(seconds)


if __name__ == "__main__":
    mp.log_to_stderr(logging.INFO)
    mp.Process(target=work, args=(60,), name="Helper", daemon=True).start()
    mp.Process(target=work, args=(3,), name="Worker").start()
    time.sleep(1)
