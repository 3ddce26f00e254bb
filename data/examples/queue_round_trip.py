"""A Queue round trip: work goes out to a child and answers come back.

The main process puts numbers on one Queue; a worker process takes each,
squares it and puts the answer on another Queue; None tells it to stop.
A Queue is a pipe with a feeder thread: press H to see the "QueueFeederThread"
threads that multiprocessing starts in each process that puts.

    forktop --example queue_round_trip
"""
import multiprocessing as mp
import os
import time


def worker(jobs, answers):
    me = mp.current_process()
    print(f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): waiting for work", flush=True)
    for n in iter(jobs.get, None):
        time.sleep(0.3)
        answers.put((n, n * n))


if __name__ == "__main__":
    jobs, answers = mp.Queue(), mp.Queue()
    w = mp.Process(target=worker, args=(jobs, answers), name="Squarer")
    w.start()
    for n in range(1, 11):
        jobs.put(n)
    for _ in range(10):
        n, square = answers.get()
        print(f"MainProcess: {n} squared is {square}", flush=True)
    jobs.put(None)
    w.join()
    print(f"{w.name} (pid {w.pid}, daemon={w.daemon}): exitcode {w.exitcode}", flush=True)
