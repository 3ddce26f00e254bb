"""forktop's Python hook against real CPython (run by tests/pyhook.sh).

  pyhook.py facts FORKTOP PYTHON METHOD [EVENTS]
      Runs tests/examples/hooked.py under forktop --batch --json with start
      method METHOD (and --events EVENTS, default auto); what the program printed of itself (FACT lines: names,
      PIDs, daemon flags, thread names and native ids, exit codes) must be
      what forktop showed.
  pyhook.py roles FORKTOP PYTHON METHOD
      tests/examples/helpers.py starts a Manager, a Pool and a
      ProcessPoolExecutor: each helper it names is shown in the role it
      said (NDJSON role, and the note that says what it is for).
  pyhook.py uncaught FORKTOP PYTHON
      A program that raises ValueError at its top is told as ended by it
      (an uncaught event, after its exit routine); one that calls
      sys.exit(3) is not.
  pyhook.py promises PYTHON
      The hook changes nothing a program does: tests/examples/unchanged.py
      writes the same stdout and stderr, byte for byte, and ends with the
      same status, with the hook loaded and without it; with a listener that
      never reads (forktop stopped) or none at all (forktop gone), it still
      ends, and a sitecustomize of the program's own still runs.
  pyhook.py example FORKTOP NAME
      forktop --example NAME (python3 as PATH finds it): what the example
      prints of its processes, threads and exit codes (NAME (pid N,
      daemon=D), NAME (tid N, daemon=D)) is what forktop shows, and the event
      it is about happens.
  pyhook.py uninstrumented FORKTOP PYTHON
      python -I cannot load the hook: forktop says so on its row and
      guesses no name or daemon flag.

Prints one line per failed check and exits 1 when any failed."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.environ.get('FORKTOP_SRCDIR', os.path.dirname(HERE)))
HOOK_DIR = os.path.join(SRCDIR, 'data', 'python')
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print('FAIL ' + what)


def run_forktop(forktop, python, method, events, program='hooked.py'):
    argv = [forktop, '--batch', '--json', '-H', '-d', '100', '--events', events, '--', python,
            os.path.join(HERE, 'examples', program), method]
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                          start_new_session=True)
    check(done.returncode == 0, '%s %s: forktop ended with %d: %s' %
          (python, method, done.returncode, done.stderr.decode(errors='replace')[-300:]))
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def program_facts(lines):
    facts = []
    for o in lines:
        if o.get('type') == 'event' and o.get('event') == 'output':
            text = o.get('line') or ''
            if text.startswith('FACT '):
                facts.append(json.loads(text[5:]))
    return facts


def shown_processes(lines):
    for o in lines:
        if o.get('type') == 'frame':
            for p in o.get('processes', []):
                yield p


def exit_codes(lines):
    return {o['pid']: o.get('exit') for o in lines
            if o.get('type') == 'event' and o.get('event') == 'exited'}


def check_run_end(lines, fact, codes, where):
    """How run() ended, as the child said it would end: the event of that
    kind about it, with the fields the child said and its exit code."""
    pid, kind = fact['ends'], fact['event']
    want = {k: v for k, v in fact.items() if k not in ('ends', 'event')}
    told = [o for o in lines if o.get('type') == 'event' and o.get('event') == kind and
            o.get('pid') == pid]
    check(any(all(o.get(k) == v for k, v in want.items()) and o.get('code') == codes.get(pid)
              for o in told),
          '%s: pid %d: no %s event with %s and code %s: %s' %
          (where, pid, kind, want, codes.get(pid), told))
    order = [o.get('event') for o in lines if o.get('type') == 'event' and o.get('pid') == pid
             and o.get('event') in (kind, 'exiting', 'exited')]
    check(order == [kind, 'exiting', 'exited'],
          '%s: pid %d: what it said before it ended came after its end: %s' %
          (where, pid, order))


def check_facts(forktop, python, method, events):
    lines = run_forktop(forktop, python, method, events)
    facts = program_facts(lines)
    where = '%s %s (events: %s)' % (python, method, events)
    check(len(facts) == 16, '%s: the program told %d facts, not 16' % (where, len(facts)))
    procs = list(shown_processes(lines))
    codes = exit_codes(lines)
    for f in facts:
        if 'name' in f:
            seen = {(p.get('lab_name'), p.get('daemon'), p.get('target')) for p in procs
                    if p['pid'] == f['pid']}
            want = (f['name'], f['daemon'], f.get('target'))
            check(want in seen, '%s: pid %d is %s, daemon %s, target %s; forktop showed %s' %
                  ((where, f['pid']) + want + (sorted(seen, key=str),)))
        elif 'tid' in f:
            seen = {(t.get('name'), t.get('daemon')) for p in procs if p['pid'] == f['pid']
                    for t in p.get('tasks', []) if t.get('tid') == f['tid']}
            check((f['thread'], f['daemon']) in seen,
                  '%s: thread %d of %d is %s, daemon %s; forktop showed %s' %
                  (where, f['tid'], f['pid'], f['thread'], f['daemon'], sorted(seen, key=str)))
        elif 'ends' in f:
            check_run_end(lines, f, codes, where)
        elif 'exit' in f:
            check(codes.get(f['exit']) == f['code'],
                  '%s: pid %d exitcode %s; forktop: %s' %
                  (where, f['exit'], f['code'], codes.get(f['exit'])))
    methods = {o.get('start_method') for o in lines if o.get('type') == 'frame'}
    check(method in methods, '%s: no frame says start method %s: %s' %
          (where, method, sorted(methods, key=str)))
    main = [f['pid'] for f in facts if f.get('name') == 'MainProcess']
    notes = {p.get('note') for p in procs if main and p['pid'] == main[0]}
    check('blocked in join(Good-Job)' in notes,
          '%s: MainProcess was never shown blocked in join(Good-Job): %s' %
          (where, sorted(notes, key=str)))


ROLE_NOTES = {'manager': "Manager's server", 'pool-worker': 'Pool worker',
              'executor-worker': 'ProcessPoolExecutor worker'}


def check_roles(forktop, python, method):
    lines = run_forktop(forktop, python, method, 'auto', 'helpers.py')
    facts = program_facts(lines)
    where = '%s %s helpers' % (python, method)
    check(len(facts) == 5, '%s: the program told %d helpers, not 5' % (where, len(facts)))
    procs = list(shown_processes(lines))
    for f in facts:
        seen = {(p.get('role'), p.get('note')) for p in procs if p['pid'] == f['pid']}
        check((f['role'], ROLE_NOTES[f['role']]) in seen,
              '%s: pid %d is a %s; forktop showed %s' %
              (where, f['pid'], f['role'], sorted(seen, key=str)))


# What the shipped examples print of their processes and threads.
PROCESS_LINE = re.compile(r'^(\S+) \(pid (\d+), daemon=(True|False)\)(: exitcode (-?\d+))?')
THREAD_LINE = re.compile(r'^(\S+) \(tid (\d+), daemon=(True|False)\)')
EXAMPLE_EVENTS = {  # an event each example must show, with fields it must have
    'daemon': ('exited', {'exit': -15}),
    'daemonic_children': ('daemonic_children_refused', {}),
    'exitcodes': ('run_raised', {'name': 'FailingJob', 'exception': 'ValueError', 'code': 1}),
    'log_to_stderr': ('exit_routine_terminates', {'target': 'Helper'}),
    'methods': ('started', {'target': 'By-forkserver'}),
    'names': ('started', {'target': 'Named-By-Me'}),
    'orphans': ('exited', {'exit': -9}),
    'pool': ('started', {'target': 'ForkPoolWorker-3'}),
    'queue_round_trip': ('join_returned', {'target': 'Squarer'}),
    'threads': ('thread_cut_off', {'thread': 'Daemonic'}),
}


def example_tasks(procs, pid, tid):
    return {(t.get('name'), t.get('daemon')) for p in procs if p['pid'] == pid
            for t in p.get('tasks', []) if t.get('tid') == tid}


def check_example(forktop, name):
    """forktop --example NAME (python3 from PATH): what the example printed of
    its processes, threads and exit codes is what forktop showed."""
    done = subprocess.run([forktop, '--batch', '--json', '-H', '-d', '100', '--example', name],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90,
                          start_new_session=True)
    check(done.returncode == 0, 'example %s: forktop ended with %d: %s' %
          (name, done.returncode, done.stderr.decode(errors='replace')[-300:]))
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    procs = list(shown_processes(lines))
    codes = exit_codes(lines)
    said = 0
    for o in lines:
        if o.get('type') != 'event' or o.get('event') != 'output':
            continue
        m, t = PROCESS_LINE.match(o.get('line', '')), THREAD_LINE.match(o.get('line', ''))
        if m:
            said += 1
            pid, daemon = int(m.group(2)), m.group(3) == 'True'
            seen = {(p.get('lab_name'), p.get('daemon')) for p in procs if p['pid'] == pid}
            check((m.group(1), daemon) in seen, 'example %s: pid %d is %s, daemon %s; forktop '
                  'showed %s' % (name, pid, m.group(1), daemon, sorted(seen, key=str)))
            if m.group(5) is not None:
                check(codes.get(pid) == int(m.group(5)), 'example %s: pid %d exitcode %s; '
                      'forktop: %s' % (name, pid, m.group(5), codes.get(pid)))
        elif t:
            said += 1
            tid, daemon = int(t.group(2)), t.group(3) == 'True'
            seen = set()
            for p in procs:
                seen |= example_tasks(procs, p['pid'], tid)
            check((t.group(1), daemon) in seen, 'example %s: thread %d is %s, daemon %s; '
                  'forktop showed %s' % (name, tid, t.group(1), daemon, sorted(seen, key=str)))
    check(said > 0, 'example %s: it said nothing of its processes' % name)
    kind, fields = EXAMPLE_EVENTS[name]
    check(any(o.get('event') == kind and all(o.get(k) == v for k, v in fields.items())
              for o in lines), 'example %s: no %s event with %s' % (name, kind, fields))


UNCAUGHT = (
    'import multiprocessing as mp, time\n'
    'if __name__ == "__main__":\n'
    '    p = mp.Process(target=time.sleep, args=(5,), daemon=True)\n'
    '    p.start()\n'
    '    %s\n')


def check_uncaught(forktop, python):
    for ending, told in (('raise ValueError("top")', 'ValueError'), ('raise SystemExit(3)', None)):
        argv = [forktop, '--batch', '--json', '-d', '200', '--', python, '-c', UNCAUGHT % ending]
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                              start_new_session=True)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        events = [o for o in lines if o.get('type') == 'event']
        top = [o['pid'] for o in events if o.get('event') == 'program_started']
        said = [o.get('exception') for o in events if o.get('event') == 'uncaught']
        check(said == ([told] if told else []), '%s, %s: uncaught events %s' %
              (python, ending, said))
        order = [o.get('event') for o in events if top and o.get('pid') == top[0] and
                 o.get('event') in ('exit_routine', 'uncaught', 'exited')]
        want = ['exit_routine', 'uncaught', 'exited'] if told else ['exit_routine', 'exited']
        check(order == want, '%s, %s: its end was told as %s' % (python, ending, order))


def check_uninstrumented(forktop, python):
    """python -I loads no hook: its row says so, and names nothing."""
    argv = [forktop, '--batch', '--json', '-d', '200', '-n', '9', '--', python, '-I', '-c',
            'import time; time.sleep(3)']
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                          start_new_session=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    rows = [p for p in shown_processes(lines) if p.get('role') == 'program']
    check(any(p.get('note') == 'Python, not instrumented' for p in rows),
          '%s -I: never marked not instrumented: %s' %
          (python, sorted({str(p.get('note')) for p in rows})))
    check(all(p.get('lab_name') is None and p.get('daemon') is None for p in rows),
          '%s -I: a name or daemon flag was guessed' % python)


# ---- promises

def listener(reads):
    """An abstract address, listened at; when reads, a thread that reads
    what comes (as forktop does), else nobody ever accepts (forktop
    stopped)."""
    import threading
    name = 'forktop-test-%d-%s' % (os.getpid(), os.urandom(6).hex())
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.bind('\0' + name)
    s.listen(1)
    if reads:
        def serve():
            while True:
                try:
                    c, _ = s.accept()
                except OSError:
                    return
                threading.Thread(target=drain, args=(c,), daemon=True).start()

        def drain(c):
            while c.recv(4096):
                pass
        threading.Thread(target=serve, daemon=True).start()
    return s, name


def run_plain(python, env_extra, cwd, timeout=60):
    env = dict(os.environ)
    env.pop('FORKTOP_PYHOOK', None)
    env.update(env_extra)
    done = subprocess.run([python, os.path.join(HERE, 'examples', 'unchanged.py')],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                          timeout=timeout, start_new_session=True)
    return done.returncode, done.stdout, done.stderr


def hooked_env(address, user_path=''):
    path = HOOK_DIR + (':' + user_path if user_path else '')
    return {'PYTHONPATH': path, 'FORKTOP_PYHOOK': address}


def check_promises(python):
    with tempfile.TemporaryDirectory() as cwd:
        base = {'PYTHONPATH': ''}
        without = run_plain(python, base, cwd)
        check(without[0] == 7, '%s: the program failed alone: %r' % (python, without[2][-300:]))
        sock, name = listener(True)
        hooked = run_plain(python, hooked_env(name), cwd)
        check(hooked == without, '%s: with the hook, the program wrote or ended otherwise:\n'
              '%r\n%r' % (python, without, hooked))
        sock.close()
        stopped, name = listener(False)
        try:
            hooked = run_plain(python, hooked_env(name), cwd, timeout=30)
        except subprocess.TimeoutExpired:
            hooked = (None, b'', b'it never ended')
        check(hooked == without, '%s: with forktop stopped, the program wrote or ended '
              'otherwise: %r' % (python, hooked[1:]))
        stopped.close()
        hooked = run_plain(python, hooked_env('forktop-nobody-listens-%d' % os.getpid()), cwd)
        check(hooked == without, '%s: with forktop gone, the program wrote or ended '
              'otherwise: %r' % (python, hooked[1:]))
        own = os.path.join(cwd, 'own')
        os.mkdir(own)
        with open(os.path.join(own, 'sitecustomize.py'), 'w') as f:
            f.write('import sys\nsys.stderr.write("own sitecustomize ran\\n")\n')
        alone = run_plain(python, {'PYTHONPATH': own}, cwd)
        sock, name = listener(True)
        hooked = run_plain(python, hooked_env(name, own), cwd)
        sock.close()
        # every interpreter (main, spawned children, the tracker, the fork
        # server) writes the line: in an order of their own
        check(b'own sitecustomize ran' in alone[2] and hooked[:2] == alone[:2] and
              sorted(hooked[2].splitlines()) == sorted(alone[2].splitlines()),
              "%s: the program's own sitecustomize did not run as it does alone: %r" %
              (python, hooked[2][-300:]))


def main(argv):
    if argv[1] == 'facts':
        check_facts(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else 'auto')
    elif argv[1] == 'roles':
        check_roles(argv[2], argv[3], argv[4])
    elif argv[1] == 'example':
        check_example(argv[2], argv[3])
    elif argv[1] == 'uncaught':
        check_uncaught(argv[2], argv[3])
    elif argv[1] == 'uninstrumented':
        check_uninstrumented(argv[2], argv[3])
    elif argv[1] == 'promises':
        check_promises(argv[2])
    else:
        print(__doc__)
        return 2
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
