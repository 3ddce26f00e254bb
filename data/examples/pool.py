"""Pool workers: a fixed set of processes that share out many tasks.

Pool(3) starts three worker processes (ForkPoolWorker-N, or SpawnPoolWorker-N
with spawn), daemonic, which take 12 tasks between them. When the pool is
closed the workers end; each task's answer comes back to the main process.

    forktop --example pool
"""
import multiprocessing as mp
import os
import time


def task(n):
    me = mp.current_process()
    time.sleep(0.5)
    return f"{me.name} (pid {os.getpid()}, daemon={me.daemon}): ran task {n}"


if __name__ == "__main__":
    with mp.Pool(3) as pool:
        for line in pool.imap(task, range(12)):
            print(line, flush=True)
