"""What a program sees of itself, written out the same way each run:
tests/pyhook.py runs it with forktop's hook and without, and the two must
agree byte for byte (stdout, stderr, exit status)."""
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback


def job(code):
    # a child writes nothing to stdout: its lines would mix with its parent's
    if code == 5:
        raise KeyError('a failing job')
    sys.exit(code)


def main():
    print('path', [p for p in sys.path if not p.startswith((sys.prefix, sys.base_prefix))])
    with open(os.devnull) as f:
        print('a new file gets descriptor', f.fileno())
    t = threading.Thread(target=time.sleep, args=(0.2,), name='Napper', daemon=True)
    t.start()
    print('threads', sorted(x.name for x in threading.enumerate()))
    for method in ('fork', 'spawn', 'forkserver'):
        ctx = mp.get_context(method)
        ps = [ctx.Process(target=job, args=(c,), name='%s-%d' % (method, c), daemon=c == 2)
              for c in (0, 2, 5)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
            print(method, p.name, p.exitcode, p.is_alive(), flush=True)
    loop = ctx.Process(target=time.sleep, args=(30,))
    loop.start()
    loop.terminate()
    loop.join()
    print('terminated', loop.exitcode)
    many = 0
    for _ in range(3000):
        many += loop.is_alive()
    print('alive answers', many, 'children', mp.active_children())
    if sys.version_info >= (3, 11):  # before, an error keeps one more traceback entry
        try:
            ctx.Process(target=job).join()  # never started
        except AssertionError:
            traceback.print_exc(file=sys.stdout)
    sys.stderr.write('the end\n')
    sys.exit(7)


if __name__ == '__main__':
    main()
