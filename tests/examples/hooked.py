"""A multiprocessing program that says, as FACT lines of JSON on stdout,
what Python knows of each of its processes and threads (names, PIDs,
daemon flags, native thread ids, exit codes, how each run() ends): tests/pyhook.py compares them
with what forktop showed. Run: python3 hooked.py fork|spawn|forkserver."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time


def say(**fact):
    # one write per line: print() may write a line and its end apart, and
    # the lines of several processes share one pipe
    sys.stdout.write('FACT %s\n' % json.dumps(fact, sort_keys=True))
    sys.stdout.flush()


def say_me(target=None):
    """Who this process is; a child also says the function its run()
    calls, as the program wrote it."""
    me = mp.current_process()
    fact = dict(pid=os.getpid(), name=me.name, daemon=bool(me.daemon))
    if target:
        fact['target'] = target
    say(**fact)


def say_thread(thread):
    say(pid=os.getpid(), tid=thread.native_id, thread=thread.name, daemon=thread.daemon)


def with_a_thread(name, daemon, seconds):
    t = threading.Thread(target=time.sleep, args=(seconds,), name=name, daemon=daemon)
    t.start()
    say_thread(t)
    return t


def finishing(code, seconds):
    say_me('finishing')
    with_a_thread('Finisher', False, seconds)
    time.sleep(seconds)
    say(ends=os.getpid(), event='run_exited', argument=repr(code))
    sys.exit(code)


def looping(seconds):
    say_me('looping')
    with_a_thread('Looper', True, 60)
    time.sleep(seconds)


def failing(seconds):
    say_me('failing')
    time.sleep(seconds)
    say(ends=os.getpid(), event='run_raised', exception='ValueError')
    raise ValueError('this job fails')


class Quick(mp.Process):
    """A class of its own, with its own run(), which returns (it starts by
    the default method, which main sets)."""
    def run(self):
        say_me('Quick.run')
        say(ends=os.getpid(), event='run_returned')


def main(method):
    mp.set_start_method(method)
    ctx = mp.get_context(method)
    say_me()
    say_thread(threading.main_thread())
    waiter = with_a_thread('Waiter', False, 1.0)
    jobs = [ctx.Process(target=finishing, args=(3, 0.8), name='Good-Job'),
            ctx.Process(target=looping, args=(60,), daemon=True),
            ctx.Process(target=failing, args=(0.8,), name='Bad-Job'),
            Quick(name='Quick-Job')]
    for p in jobs:
        p.start()
    jobs[0].join()
    jobs[2].join()
    jobs[3].join()
    jobs[1].terminate()
    jobs[1].join()
    for p in jobs:
        say(exit=p.pid, code=p.exitcode)
    waiter.join()


if __name__ == '__main__':
    main(sys.argv[1])
