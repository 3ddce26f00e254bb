"""The helpers multiprocessing and concurrent.futures start for a program:
a Manager's server, Pool workers and ProcessPoolExecutor workers. Says, as
FACT lines of JSON on stdout, each one's PID and role as forktop names it
(tests/pyhook.py compares them with forktop's rows). Python keeps them in
private attributes, which a test program may read. Run: python3 helpers.py
fork|spawn|forkserver."""
import concurrent.futures as cf
import json
import multiprocessing as mp
import sys
import time


def say(**fact):
    sys.stdout.write('FACT %s\n' % json.dumps(fact, sort_keys=True))
    sys.stdout.flush()


def square(x):
    time.sleep(0.5)
    return x * x


def main(method):
    ctx = mp.get_context(method)
    with ctx.Manager() as manager:
        say(pid=manager._process.pid, role='manager')
        with ctx.Pool(2) as pool:
            for worker in pool._pool:
                say(pid=worker.pid, role='pool-worker')
            pool.map(square, range(2))
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as executor:
            list(executor.map(square, range(2)))
            for pid in executor._processes:
                say(pid=pid, role='executor-worker')


if __name__ == '__main__':
    main(sys.argv[1])
