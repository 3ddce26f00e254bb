"""What forktop's Python hook costs a program (bench/run.sh pyhook).

  pyhook.py PYTHON [RUNS]

Three measures, each with the hook and without it, interleaved, RUNS times
(default 7), medians printed as one line each:

  startup    python -c pass, wall time of the whole run
  process    Process.start() + join() of an empty target, per process
             (200 in a row, fork start method)
  faults     the same processes' page faults (getrusage minflt) in the
             child and in the parent, per process: after a fork each page
             either of them writes first is copied, and what that costs
             depends on the machine far more than on the code
  stopped    the same start()+join() with forktop stopped (a listener
             that never accepts: records are dropped) and gone (nobody
             listens), against the plain run: the program must run on at
             full speed
  cow        what one such copy costs here: a child writes one byte in
             each of 2,000 pages its parent had written (Python's own
             cost per write is a small part of it)
  pool       Pool(4).map of 1,000 small tasks, wall time. Where the
             garbage collector's counts stand when the workers fork decides
             whether a worker runs a collection over objects it shares with
             its parent, copying hundreds of pages: a few allocations more
             or less (the hook's, or the program's own) move that by tens of
             percent. Each run first keeps 0 to 690 objects, the same number
             with the hook and without, so the medians compare the hook's
             own cost, not where the counts happened to fall

With the hook, a listener stands in for forktop: it accepts every connection
and reads every record, as forktop does (its own cost is forktop's, not the
program's). The hook is a byte-compiled copy, as make install leaves it."""
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK_DIR = os.path.join(os.path.dirname(HERE), 'data', 'python')

PROCESS = r'''
import multiprocessing as mp, resource, sys, time
def nothing():
    pass
def faults(who):
    return resource.getrusage(who).ru_minflt
if __name__ == '__main__':
    mp.set_start_method('fork')
    c, s = faults(resource.RUSAGE_CHILDREN), faults(resource.RUSAGE_SELF)
    t = time.perf_counter()
    for _ in range(200):
        p = mp.Process(target=nothing)
        p.start()
        p.join()
    t = (time.perf_counter() - t) / 200
    c = (faults(resource.RUSAGE_CHILDREN) - c) / 200
    s = (faults(resource.RUSAGE_SELF) - s) / 200
    print(t if sys.argv[1:] != ['faults'] else '%f %f' % (c, s))
'''

POOL = r'''
import multiprocessing as mp, sys, time
def square(x):
    return x * x
if __name__ == '__main__':
    mp.set_start_method('fork')
    kept = [(i,) for i in range(int(sys.argv[1]))]
    t = time.perf_counter()
    with mp.Pool(4) as pool:
        pool.map(square, range(1000), chunksize=1)
    print(time.perf_counter() - t)
'''


def listen(reads=True):
    name = 'forktop-bench-%d-%s' % (os.getpid(), 'reads' if reads else 'stopped')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind('\0' + name)
    server.listen(128)
    if not reads:  # forktop stopped: connections wait, unaccepted, unread
        listen.stopped = server
        return name

    def drain(conn):
        while conn.recv(4096):
            pass

    def serve():
        while True:
            conn, _ = server.accept()
            threading.Thread(target=drain, args=(conn,), daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()
    return name


def environment(address):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env.pop('FORKTOP_PYHOOK', None)
    if address:
        env['PYTHONPATH'] = HOOK_DIR
        env['FORKTOP_PYHOOK'] = address
    return env


def wall(python, env, args):
    t = time.perf_counter()
    subprocess.run([python] + args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def reported(python, env, code, *args):
    out = subprocess.run([python, '-c', code] + list(args), env=env, check=True,
                         stdout=subprocess.PIPE)
    values = [float(x) for x in out.stdout.split()]
    return values[0] if len(values) == 1 else values


COW = r'''
import mmap, os, time
pages = 2000
m = mmap.mmap(-1, pages * mmap.PAGESIZE)
for i in range(pages):
    m[i * mmap.PAGESIZE] = 1
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    t = time.perf_counter()
    for i in range(pages):
        m[i * mmap.PAGESIZE] = 2
    os.write(w, b'%f' % ((time.perf_counter() - t) / pages))
    os._exit(0)
os.waitpid(pid, 0)
print(os.read(r, 64).decode())
'''


def measure(runs, one):
    """Medians of one(hooked) over runs, hooked and plain interleaved."""
    plain, hooked = [], []
    for _ in range(runs):
        plain.append(one(False))
        hooked.append(one(True))
    return statistics.median(plain), statistics.median(hooked)


def installed_copy(python):
    """The hook as make install leaves it: a copy, byte-compiled by python."""
    import shutil
    import tempfile
    import atexit
    top = tempfile.mkdtemp(prefix='forktop-bench-')
    atexit.register(shutil.rmtree, top, True)
    folder = os.path.join(top, 'python')
    shutil.copytree(HOOK_DIR, folder)
    subprocess.run([python, '-m', 'compileall', '-q', folder], check=True)
    return folder


def main(argv):
    global HOOK_DIR
    python = argv[1]
    runs = int(argv[2]) if len(argv) > 2 else 7
    HOOK_DIR = installed_copy(python)
    address = listen()
    env = {False: environment(None), True: environment(address)}

    p, h = measure(runs * 3, lambda on: wall(python, env[on], ['-c', 'pass']))
    print('startup  plain %.1f ms  hooked %.1f ms  +%.1f ms' % (p * 1e3, h * 1e3, (h - p) * 1e3))
    p, h = measure(runs, lambda on: reported(python, env[on], PROCESS))
    print('process  plain %.2f ms  hooked %.2f ms  +%.2f ms per start()+join()' %
          (p * 1e3, h * 1e3, (h - p) * 1e3))
    plain, hooked = [], []
    for _ in range(3):
        plain.append(reported(python, env[False], PROCESS, 'faults'))
        hooked.append(reported(python, env[True], PROCESS, 'faults'))
    (pc, ps), (hc, hs) = [[statistics.median(x[i] for x in runs_) for i in (0, 1)]
                          for runs_ in (plain, hooked)]
    print('faults   child %.0f -> %.0f (%+.0f)  parent %.0f -> %.0f (%+.0f) per process' %
          (pc, hc, hc - pc, ps, hs, hs - ps))
    stopped = environment(listen(reads=False))
    gone = environment('forktop-bench-nobody-%d' % os.getpid())
    plain, halted, absent = [], [], []
    for _ in range(runs):
        plain.append(reported(python, env[False], PROCESS))
        halted.append(reported(python, stopped, PROCESS))
        absent.append(reported(python, gone, PROCESS))
    p, s, g = (statistics.median(x) for x in (plain, halted, absent))
    print('stopped  plain %.2f ms  forktop stopped %.2f ms (%+.2f)  gone %.2f ms (%+.2f)' %
          (p * 1e3, s * 1e3, (s - p) * 1e3, g * 1e3, (g - p) * 1e3))
    cow = statistics.median(reported(python, env[False], COW) for _ in range(runs))
    print('cow      %.1f us per page copied after a fork' % (cow * 1e6))
    pads = iter(range(10**6))
    p, h = measure(runs * 3, lambda on, n=None: reported(
        python, env[on], POOL, str((next(pads) // 2 * 230) % 700)))
    print('pool     plain %.3f s  hooked %.3f s  %+.1f%%' % (p, h, (h / p - 1) * 100))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
