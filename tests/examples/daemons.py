"""A multiprocessing program for forktop's tests: one daemonic and one
non-daemonic child. At the normal exit of the main process, Python's exit
routine terminates the daemonic child (exit code -15) and joins the other
(exit code 0). The log lines come from multiprocessing.log_to_stderr()."""
import logging
import multiprocessing as mp
import time


def forever():
    while True:
        time.sleep(1)


def work():
    time.sleep(0.6)


if __name__ == "__main__":
    mp.set_start_method("fork")
    mp.log_to_stderr(logging.INFO)
    mp.Process(target=forever, daemon=True).start()
    mp.Process(target=work, daemon=False).start()
    time.sleep(0.3)
