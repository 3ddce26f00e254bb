"""The GIL at work, for forktop's CPU% column.

The same CPU-bound loop runs for SECONDS (default 10) in 4 threads of one
process, then for SECONDS in 4 processes. Watch it with

    forktop --example gil

and press H to see the threads. While the threads run, their process stays
near 100% CPU (one core): only the thread holding the Global Interpreter
Lock runs Python code, so the four take turns, each near 25%. The four
processes each have an interpreter and a GIL of their own, and together use
as many cores as the machine gives them. The counts printed at the end of
each half say the same in work done.
"""
import multiprocessing
import sys
import threading
import time

WORKERS = 4


def count(seconds, results=None, index=0):
    """Counts for `seconds` of wall-clock time: pure Python, CPU-bound."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    if results is not None:
        results[index] = n
    return n


def with_threads(seconds):
    results = [0] * WORKERS
    threads = [threading.Thread(target=count, args=(seconds, results, i), name=f"counter-{i + 1}")
               for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def with_processes(seconds):
    results = multiprocessing.Array("q", WORKERS)
    procs = [multiprocessing.Process(target=count, args=(seconds, results, i), name=f"counter-{i + 1}")
             for i in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return sum(results)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    print(f"{WORKERS} threads of one process for {seconds:g} s: one GIL, they take turns", flush=True)
    by_threads = with_threads(seconds)
    print(f"threads: {by_threads:,} counts", flush=True)
    print(f"{WORKERS} processes for {seconds:g} s: a GIL each", flush=True)
    by_processes = with_processes(seconds)
    print(f"processes: {by_processes:,} counts, {by_processes / max(by_threads, 1):.1f} times the threads'",
          flush=True)


if __name__ == "__main__":
    main()
