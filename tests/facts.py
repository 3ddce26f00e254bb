"""The facts the lessons state, checked against the Python that runs this.

Each fact is a small real program; every wait is bounded, and every process
started here is ended before the script returns (it makes itself a child
subreaper, so orphaned grandchildren come back to it). Prints one line per
fact, "ok NAME" or "FAIL NAME: why", and exits 1 when one failed.
Run by tests/facts.sh with each Python it finds.
"""
import atexit
import ctypes
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
HERE = os.path.abspath(__file__)


def state(pid):
    """The process's state letter, or None once it is gone (reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def ppid_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def until(cond, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def check(ok, why):
    if not ok:
        raise AssertionError(why)


def python(*args, timeout=10, **kw):
    return subprocess.run([sys.executable] + list(args), timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# ---- the targets (module level: spawn and forkserver import them) ----------

def quick():
    pass


def exit_with(code):
    sys.exit(code)


def sleep_for(seconds):
    time.sleep(seconds)


def write_at_exit(path):
    atexit.register(lambda: open(path, "w").close())


def start_a_child():
    p = mp.get_context("fork").Process(target=quick)
    p.start()
    p.join()


def parent_of_a_sleeper(conn):
    p = mp.get_context("fork").Process(target=sleep_for, args=(30,))
    p.start()
    conn.send(p.pid)
    time.sleep(30)


# ---- the facts -------------------------------------------------------------

def fact_exit_codes():
    """sys.exit(N) is taken modulo 256; a non-integer gives 1, as does an
    uncaught exception: for the main interpreter and for a child."""
    for code, want in (("256", 0), ("-1", 255), ("'x'", 1), ("None", 0)):
        rc = python("-c", "import sys; sys.exit(%s)" % code).returncode
        check(rc == want, "main: sys.exit(%s) gave %d, not %d" % (code, rc, want))
    rc = python("-c", "raise ValueError").returncode
    check(rc == 1, "main: an uncaught exception gave %d" % rc)
    ctx = mp.get_context("fork")
    for code, want in ((256, 0), (-1, 255), ("x", 1)):
        p = ctx.Process(target=exit_with, args=(code,))
        p.start()
        p.join(5)
        check(p.exitcode == want, "child: sys.exit(%r) gave %r" % (code, p.exitcode))


STUBBORN = r"""
import multiprocessing as mp, signal, sys, time
def daemon(path):
    def on_term(*a):
        open(path, "a").write("TERM\n")
    signal.signal(signal.SIGTERM, on_term)
    open(path, "a").write("READY\n")
    time.sleep(0.8)
    open(path, "a").write("DONE\n")
if __name__ == "__main__":
    p = mp.get_context("fork").Process(target=daemon, args=(sys.argv[1],), daemon=True)
    p.start()
    while "READY" not in open(sys.argv[1]).read():
        time.sleep(0.01)
"""


def fact_exit_routine_joins_a_daemon_after_sigterm():
    """The exit routine sends SIGTERM to a daemonic child, then joins it: a
    daemon that survives SIGTERM keeps main from exiting until it ends."""
    with tempfile.NamedTemporaryFile("r", prefix="lessons21-facts-") as log:
        python("-c", STUBBORN, log.name)
        lines = open(log.name).read().split()
        check(lines == ["READY", "TERM", "DONE"],
              "main exited before its daemon ended: %s" % lines)


def server_of(p):
    return ppid_of(p.pid)


def fact_forkserver_child_is_a_zombie_while_the_server_is_stopped():
    """Under forkserver the server reaps on SIGCHLD: stopped, it reaps
    nothing, and a finished child stays in state Z."""
    p = mp.get_context("forkserver").Process(target=sleep_for, args=(0.3,))
    p.start()
    server = server_of(p)
    check(server != os.getpid(), "the child's parent is main, not a server")
    os.kill(server, signal.SIGSTOP)
    try:
        check(until(lambda: state(p.pid) == "Z"), "the child never became a zombie")
        time.sleep(0.2)
        check(state(p.pid) == "Z", "a stopped server reaped its child")
    finally:
        os.kill(server, signal.SIGCONT)
    check(until(lambda: state(p.pid) is None), "the server did not reap it once continued")
    p.join(5)
    check(p.exitcode == 0, "exitcode %r" % p.exitcode)


def fact_reading_a_child_reaps_it():
    """.exitcode, repr(), active_children() and close() poll with waitpid():
    each reaps a finished child."""
    ctx = mp.get_context("fork")
    for how, call in (("exitcode", lambda p: p.exitcode), ("repr", repr),
                      ("active_children", lambda p: mp.active_children()),
                      ("close", lambda p: p.close())):
        p = ctx.Process(target=quick)
        p.start()
        pid = p.pid
        check(until(lambda: state(pid) == "Z"), "%s: the child never became a zombie" % how)
        call(p)
        check(state(pid) is None, "%s left it in state %s" % (how, state(pid)))


def number(p):
    return int(p.name.rsplit("-", 1)[1].split(":")[-1])


def fact_the_name_counter_counts_objects():
    """Process-N counts Process objects created, started or not, and a
    Pool's workers."""
    ctx = mp.get_context("fork")
    first = number(ctx.Process(target=quick))
    ctx.Process(target=quick)
    third = number(ctx.Process(target=quick))
    check(third == first + 2, "Process-%d after Process-%d" % (third, first))
    with ctx.Pool(2) as pool:
        pool.map(abs, [1, 2])
    after = number(ctx.Process(target=quick))
    check(after == third + 3, "after a Pool of 2: Process-%d, not %d" % (after, third + 3))


def fact_terminate_orphans_the_grandchildren():
    """terminate() is SIGTERM: the child runs no exit routine, and its own
    child outlives it, re-parented (here to this subreaper)."""
    ctx = mp.get_context("fork")
    r, w = ctx.Pipe(False)
    p = ctx.Process(target=parent_of_a_sleeper, args=(w,))
    p.start()
    check(r.poll(5), "the child never said its child's PID")
    grandchild = r.recv()
    try:
        p.terminate()
        p.join(5)
        check(p.exitcode == -signal.SIGTERM, "exitcode %r" % p.exitcode)
        check(until(lambda: ppid_of(grandchild) == os.getpid(), 2),
              "the grandchild was not orphaned")
        check(state(grandchild) not in (None, "Z"), "the grandchild ended with its parent")
    finally:
        os.kill(grandchild, signal.SIGKILL)
        os.waitpid(grandchild, 0)


def fact_with_sigchld_ignored_the_kernel_reaps():
    """With SIGCHLD ignored no zombie is left: join() returns at once, and
    Python never learns the code (exitcode None, is_alive() True)."""
    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        p = mp.get_context("fork").Process(target=quick)
        p.start()
        pid = p.pid
        check(until(lambda: state(pid) is None), "the child was not reaped by the kernel")
        began = time.monotonic()
        p.join()
        check(time.monotonic() - began < 1, "join() blocked")
        check(p.exitcode is None, "exitcode %r" % p.exitcode)
        check(p.is_alive(), "is_alive() is False")
    finally:
        signal.signal(signal.SIGCHLD, old)


NESTED = r"""
import multiprocessing as mp, sys
sys.path.insert(0, sys.argv[1])
import facts
if __name__ == "__main__":
    p = mp.get_context("fork").Process(target=facts.start_a_child, daemon=True)
    p.start()
    p.join(10)
    sys.exit(p.exitcode)
"""


def fact_python_O_lets_a_daemon_start_children():
    """The rule against a daemonic process's children is an assert:
    python -O removes it."""
    where = os.path.dirname(HERE)
    rc = python("-c", NESTED, where, stdin=subprocess.DEVNULL).returncode
    check(rc == 1, "without -O the daemon's start() did not fail: %d" % rc)
    rc = python("-O", "-c", NESTED, where).returncode
    check(rc == 0, "under -O the daemon could not start a child: %d" % rc)


def mark_if_not(pid, path):
    if os.getpid() != pid:
        open(path, "w").close()


def fact_atexit_in_children():
    """A fork or forkserver child ends with os._exit(): the atexit handlers
    it inherited never run, nor, before 3.13, those it registered itself; a
    spawn child ends with sys.exit(): its handlers run."""
    own_runs_in_fork = sys.version_info >= (3, 13)
    for method, runs in (("fork", own_runs_in_fork), ("forkserver", own_runs_in_fork),
                         ("spawn", True)):
        with tempfile.TemporaryDirectory(prefix="lessons21-facts-") as d:
            own, inherited = os.path.join(d, "own"), os.path.join(d, "inherited")
            atexit.register(mark_if_not, os.getpid(), inherited)
            try:
                p = mp.get_context(method).Process(target=write_at_exit, args=(own,))
                p.start()
                p.join(10)
            finally:
                atexit.unregister(mark_if_not)
            check(p.exitcode == 0, "%s: exitcode %r" % (method, p.exitcode))
            check(os.path.exists(own) == runs,
                  "%s: the child's own atexit handler %s" % (method, "did not run" if runs else "ran"))
            check(not os.path.exists(inherited), "%s: an inherited atexit handler ran" % method)


IGNORED = r"""
import multiprocessing as mp, signal, sys
def child():
    sys.exit(0 if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else 1)
if __name__ == "__main__":
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:
        sys.exit(2)
    p = mp.get_context("fork").Process(target=child)
    p.start()
    p.join(5)
    sys.exit(p.exitcode)
"""


def fact_an_ignored_sigint_stays_ignored():
    """A SIGINT ignored when Python starts stays ignored: Python sets its
    KeyboardInterrupt handler only over the default action."""
    rc = python("-c", IGNORED,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)).returncode
    check(rc == 0, "main (2) or its child (1) does not ignore SIGINT: %d" % rc)


SUBREAPER = """
import ctypes, os, sys
libc = ctypes.CDLL(None)
flag = ctypes.c_int(0)
libc.prctl(37, ctypes.byref(flag), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
sys.exit(flag.value)
"""


def fact_the_subreaper_flag_is_kept_across_exec_not_fork():
    """PR_SET_CHILD_SUBREAPER (prctl(2)): a fork's child starts without the
    flag; a program exec'd by the process keeps it."""
    libc = ctypes.CDLL(None)
    rc = python("-c", SUBREAPER).returncode  # this process is a subreaper (main())
    check(rc == 0, "a child forked by a subreaper has the flag: %d" % rc)
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        os.execv(sys.executable, [sys.executable, "-c", SUBREAPER])
    _, status = os.waitpid(pid, 0)
    check(os.WEXITSTATUS(status) == 1, "the flag was lost across exec: %d" % status)


def fact_the_default_start_method_on_linux():
    """multiprocessing's default on Linux: fork up to 3.13, forkserver from
    3.14 (context.py, _default_context)."""
    want = "forkserver" if sys.version_info >= (3, 14) else "fork"
    got = python("-c", "import multiprocessing as mp; print(mp.get_start_method())").stdout.decode().strip()
    check(got == want, "Python %d.%d starts children with %s, not %s" % (sys.version_info[:2] + (got, want)))


def fact_nothing_ends_a_child_with_its_parent():
    """A child runs on when its parent is killed: no Python option ends it
    (only PR_SET_PDEATHSIG, or a child that watches its parent)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the parent: starts a child, says its PID, waits to be killed
        os.close(r)
        p = mp.get_context("fork").Process(target=sleep_for, args=(30,))
        p.start()
        os.write(w, b"%d\n" % p.pid)
        time.sleep(30)
        os._exit(0)
    os.close(w)
    child = int(os.read(r, 64).decode())
    os.close(r)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    try:
        check(until(lambda: ppid_of(child) != pid, 5), "the child was not re-parented")
        check(state(child) in ("S", "R"), "the child did not run on: %s" % state(child))
    finally:
        os.kill(child, signal.SIGKILL)
        until(lambda: state(child) in (None, "Z"), 5)
        try:
            os.waitpid(child, 0)  # it came to this subreaper
        except ChildProcessError:
            pass


class Skip(Exception):
    """A fact this machine or account cannot show (said, not failed)."""


def in_new_pid_namespace(code):
    """Starts `python -c code` as the PID 1 of a new PID namespace
    (util-linux unshare; through a user namespace when not root). Returns
    the Popen of unshare, which waits for it, and the Python's PID as seen
    here (the first line it writes is its PID in there, which must be 1)."""
    ns = ["--pid", "--fork"] if os.geteuid() == 0 else ["--user", "--map-current-user", "--pid", "--fork"]
    try:
        p = subprocess.Popen(["unshare"] + ns + [sys.executable, "-c", code],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except FileNotFoundError:
        raise Skip("no unshare (util-linux)")
    first = p.stdout.readline().strip()
    if first != "1":
        p.wait(5)
        raise Skip("no PID namespace for this account here (unshare: %s)" % (first or p.returncode))
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/status" % pid) as f:
                nspid = [line.split()[1:] for line in f if line.startswith("NSpid:")]
        except OSError:
            continue
        if nspid and nspid[0][-1] == "1" and len(nspid[0]) == 2 and ppid_of(int(pid)) == p.pid:
            return p, int(pid)
    p.kill()
    raise AssertionError("the namespace's PID 1 was not found in /proc")


def children_of(pid):
    """The PIDs whose parent is pid now."""
    found = []
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and ppid_of(int(d)) == pid:
                found.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return found


def signal_mask(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1], 16)
    return 0


def fact_python_as_pid1_ignores_sigterm_and_exits_130_after_sigint():
    """pid_namespaces(7): a PID 1 gets only the signals it has a handler
    for. Python has one for SIGINT (SigCgt), none for SIGTERM; its SIGINT
    ends it through the exit routine, and exit_sigint's own SIGINT is then
    dropped too, so it exits with 130."""
    code = ("import multiprocessing as mp, os, time, atexit\n"
            "def work(): time.sleep(30)\n"
            "atexit.register(lambda: print('atexit', flush=True))\n"
            "print(os.getpid(), flush=True)\n"
            "if __name__ == '__main__':\n"
            "    d = mp.get_context('fork').Process(target=work, daemon=True); d.start()\n"
            "    time.sleep(30)\n")
    p, pid1 = in_new_pid_namespace(code)
    try:
        check(signal_mask(pid1, "SigCgt") == 1 << (signal.SIGINT - 1),
              "SigCgt is %x, not SIGINT's bit alone" % signal_mask(pid1, "SigCgt"))
        os.kill(pid1, signal.SIGTERM)
        time.sleep(0.4)
        check(state(pid1) in ("S", "R"), "SIGTERM ended a PID 1 with no handler for it")
        os.kill(pid1, signal.SIGINT)
        rest = p.stdout.read()
        check(p.wait(10) == 130, "exit status %s, not 130" % p.returncode)
        check("atexit" in rest, "the exit handlers did not run")
    finally:
        p.kill()
        p.wait(5)


def fact_the_end_of_pid1_kills_the_namespace():
    """pid_namespaces(7): when PID 1 ends, the kernel kills (SIGKILL)
    every process left in its namespace, a non-daemonic child too."""
    code = ("import os, time, sys\n"
            "print(os.getpid(), flush=True)\n"
            "pid = os.fork()\n"
            "if pid == 0: time.sleep(30); os._exit(0)\n"
            "print(pid, flush=True); time.sleep(0.3); os._exit(0)\n")
    p, pid1 = in_new_pid_namespace(code)
    try:
        p.stdout.readline()  # its child's PID in there: it has forked
        child = children_of(pid1)
        check(len(child) == 1, "its child is not under it: %s" % child)
        p.wait(10)
        check(until(lambda: state(child[0]) is None, 3), "the child outlived its namespace's PID 1")
    finally:
        p.kill()
        p.wait(5)


FACTS = [fact_exit_codes, fact_exit_routine_joins_a_daemon_after_sigterm,
         fact_forkserver_child_is_a_zombie_while_the_server_is_stopped,
         fact_reading_a_child_reaps_it, fact_the_name_counter_counts_objects,
         fact_terminate_orphans_the_grandchildren, fact_with_sigchld_ignored_the_kernel_reaps,
         fact_python_O_lets_a_daemon_start_children, fact_atexit_in_children,
         fact_an_ignored_sigint_stays_ignored, fact_the_subreaper_flag_is_kept_across_exec_not_fork,
         fact_the_default_start_method_on_linux, fact_nothing_ends_a_child_with_its_parent,
         fact_python_as_pid1_ignores_sigterm_and_exits_130_after_sigint,
         fact_the_end_of_pid1_kills_the_namespace]


def main():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    only = sys.argv[1:]
    failed = 0
    for fact in FACTS:
        name = fact.__name__[5:]
        if only and name not in only:
            continue
        try:
            fact()
            print("ok %s" % name)
        except Skip as e:
            print("skip %s: %s" % (name, e))
        except Exception as e:  # a fact that fails, or times out, is reported
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            failed += 1
        for p in mp.active_children():
            p.kill()
            p.join(2)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
