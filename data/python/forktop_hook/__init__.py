"""forktop's hook: what a Python program's processes and threads are, as
Python knows them, told to the forktop that started the program.

It wraps a few methods of multiprocessing and threading, each time around
the original, which it always calls as it was called, returning what it
returned and raising what it raised. It starts no thread and no process,
prints nothing, never blocks (a report that cannot be sent at once is
dropped), and every error of its own is swallowed. Reports follow
CPython's Lib/multiprocessing/process.py, popen_fork.py and util.py, and
Lib/threading.py, as they are from 3.8 to 3.13.
"""
import os
import sys

from . import wire

ADDRESS_VARIABLE = 'FORKTOP_PYHOOK'

_link = None
_role = 0              # HELLO_TRACKER or HELLO_FORKSERVER, from the command line
_in_exit_routine = False
_threads = {}          # Thread -> its native id, while it runs
_run_end = None        # in a child: how its run() ended (kind, text), once known
_in_child_bootstrap = False
_handled_before_run = None  # an exception being handled where _bootstrap was called
_inherited_error = None  # in a forked child: the uncaught exception its creator printed
# Before 3.13 a child's _bootstrap() calls the exit routine in a finally
# block around run(), where the exception that ends run() is still in
# sys.exc_info(); from 3.13 the routine runs from atexit, and run() itself
# is wrapped (a wrapper's frame leaves tracebacks as they are from 3.11).
_EXIT_ROUTINE_SEES_RUN = sys.version_info < (3, 13)
_patched = set()


def _send(kind_of_message, **fields):
    """One record, made and sent: a value the record cannot hold (an exit
    code past 32 bits), like any other error of the hook's, drops it."""
    try:
        _link.send(wire.record(kind_of_message, **fields))
    except Exception:
        pass


def _hello(name, daemon, creator, role=0, target=''):
    value = _role | role | (wire.HELLO_DAEMON if daemon else 0)
    _send(wire.HELLO, value=value, creator=creator, name=name, text=target)


def _target_of(process):
    """What the process's run() calls: its target (a function's name; for
    another callable, a partial say, its type's), or its class's own
    run(). Never the target's repr: that is the program's code."""
    target = getattr(process, '_target', None)
    if target is not None:
        partial = getattr(sys.modules.get('functools'), 'partial', None)
        if isinstance(partial, type) and isinstance(target, partial):
            target = target.func
        if not isinstance(getattr(target, '__qualname__', None), str):
            target = type(target)
        return _qualified(target.__module__, target.__qualname__)
    run = getattr(type(process), 'run', None)
    run = getattr(run, '__wrapped__', run)  # a 3.13 child's own run, wrapped
    if type(run) is type(_safe) and run.__module__ != 'multiprocessing.process':
        return _qualified(run.__module__, run.__qualname__)
    return ''


def _qualified(module, name):
    if not isinstance(name, str):
        return ''
    if not isinstance(module, str) or module in ('builtins', '__main__', '__mp_main__'):
        return name
    return module + '.' + name


# What a Process was started for, known by its target: (module, name).
_HELPER_TARGETS = {
    ('multiprocessing.pool', 'worker'): wire.HELLO_POOL_WORKER,
    ('multiprocessing.managers', '_run_server'): wire.HELLO_MANAGER,
    ('concurrent.futures.process', '_process_worker'): wire.HELLO_EXECUTOR_WORKER,
}


def _helper_role(process):
    target = getattr(process, '_target', None)
    if type(target) is type(_helper_role.__get__(0)):  # a Manager's: a bound classmethod
        target = target.__func__
    if type(target) is not type(_safe):  # the helpers' targets are functions
        return 0
    return _HELPER_TARGETS.get((target.__module__, target.__name__), 0)


def _report(kind, target=0, name='', value=0):
    _send(wire.REPORT, target=target, value=value, kind=kind, name=name)


def _status_of(exitcode):
    """The wait status behind multiprocessing's exitcode (-N: signal N)."""
    if exitcode is None:
        return 0
    return -exitcode if exitcode < 0 else (exitcode & 0xFF) << 8


def _role_from_command_line():
    """The resource tracker and the fork server are fresh interpreters run
    with -c; the command is in /proc/self/cmdline (sys.orig_argv is 3.10+)."""
    try:
        with open('/proc/self/cmdline', 'rb') as f:
            line = f.read(4096)
    except OSError:
        return 0, False
    if b'multiprocessing.resource_tracker' in line:
        return wire.HELLO_TRACKER, False
    if b'multiprocessing.forkserver' in line:
        return wire.HELLO_FORKSERVER, False
    return 0, b'--multiprocessing-fork' in line


# ---- multiprocessing.process: start, join, is_alive, terminate, kill and
# the child's own _bootstrap (its name, daemon flag and exit code).

def _wrap_start(start):
    def wrapped(self):
        role = _safe(lambda: _helper_role(self)) or 0  # start() drops the target
        try:
            result = start(self)
        except BaseException as e:
            _unseen(e)
            if isinstance(e, AssertionError) and _safe(
                    lambda: _mp_process().current_process().daemon):
                _report(wire.DAEMONIC_CHILDREN_REFUSED)
            raise
        _safe(lambda: _started(self, role))
        return result
    return wrapped


def _started(process, role):
    popen = process._popen
    popen._forktop_name = process.name
    method = getattr(popen, 'method', '') or ''
    value = role | (wire.HELLO_DAEMON if process.daemon else 0)
    _send(wire.NEW_CHILD, target=process.pid, name=process.name, value=value, text=method)


def _wrap_join(join):
    def wrapped(self, timeout=None):
        popen = getattr(self, '_popen', None)
        target = getattr(popen, 'pid', 0) or 0
        name = _safe(lambda: self.name) or ''
        mine = _safe(lambda: self._parent_pid == os.getpid())
        if popen is not None and mine:
            if _in_exit_routine:
                _report(wire.EXIT_ROUTINE_JOINS, target=target, name=name)
            _send(wire.JOIN_BEGIN, target=target, name=name)
        try:
            result = join(self, timeout)
        except BaseException as e:
            _unseen(e)
            if isinstance(e, AssertionError) and not mine:
                _report(wire.JOIN_REFUSED, target=target, name=name)
            raise
        if popen is not None and mine:
            _safe(lambda: _joined(popen, target, name, timeout))
        return result
    return wrapped


def _joined(popen, target, name, timeout):
    if popen.returncode is None:
        ms = int(timeout * 1000) if timeout is not None else 0
        _send(wire.JOIN_TIMEOUT, target=target, name=name, value=max(ms, 0))
    else:
        _send(wire.JOIN_END, target=target, name=name, value=_status_of(popen.returncode))


def _wrap_is_alive(is_alive):
    def wrapped(self):
        try:
            answer = is_alive(self)
        except BaseException as e:
            _unseen(e)
            if isinstance(e, AssertionError):
                _safe(lambda: _report(wire.IS_ALIVE_REFUSED, target=self.pid or 0,
                                      name=self.name))
            raise
        _safe(lambda: self._popen is not None and _send(
            wire.ALIVE, target=self.pid or 0, name=self.name, value=1 if answer else 0))
        return answer
    return wrapped


def _wrap_bootstrap(bootstrap):
    def wrapped(self, *args, **kwargs):
        global _in_child_bootstrap, _run_end, _handled_before_run
        role = _safe(lambda: _helper_role(self)) or 0
        target = _safe(lambda: _target_of(self)) or ''
        _safe(lambda: _hello(self.name, self.daemon, self._parent_pid or 0, role, target))
        # a child forked inside an except block still sees its creator's
        # exception in sys.exc_info(): that one is no end of run()
        _handled_before_run = sys.exc_info()[1]
        _in_child_bootstrap, _run_end = True, None
        if not _EXIT_ROUTINE_SEES_RUN:
            _safe(lambda: _wrap_own_run(type(self)))
        try:
            code = bootstrap(self, *args, **kwargs)
        except BaseException as e:
            _unseen(e)
            raise
        finally:
            _in_child_bootstrap, _handled_before_run = False, None
        _safe(_threads_cut_off)
        code_sent = code if isinstance(code, int) else 1
        if _run_end is not None:
            _send(wire.REPORT, kind=_run_end[0], value=code_sent, text=_run_end[1])
        _report(wire.EXITING, value=code_sent)
        return code
    return wrapped


def _learn_run_end(error):
    """How run() ended: error is what it raised (None: it returned). A
    run() that calls its base's ends last: the outermost one is told."""
    global _run_end
    if not _in_child_bootstrap:
        return
    if error is None:
        _run_end = (wire.RUN_RETURNED, '')
    elif isinstance(error, SystemExit):
        _run_end = (wire.RUN_EXITED, _exit_argument(error))
    else:
        _run_end = (wire.RUN_RAISED, _type_name(type(error)))


def _learn_run_end_from_exit_routine():
    error = sys.exc_info()[1]
    _learn_run_end(None if error is _handled_before_run else error)


def _exit_argument(error):
    """sys.exit's argument as the call was written: sys.exit(), sys.exit(3),
    sys.exit('bad input')."""
    if not error.args:
        return ''
    return repr(error.args[0]) if len(error.args) == 1 else repr(error.args)


def _type_name(cls):
    return _qualified(getattr(cls, '__module__', None) or None,
                      getattr(cls, '__qualname__', '') or cls.__name__)


def _wrap_own_run(cls):
    """Wraps the run() this child's class has, in this child alone (each
    child learns its own end; a class's run() is wrapped once)."""
    run = getattr(cls, 'run', None)
    if type(run) is type(_safe) and not getattr(run, '_forktop_wrapped', False):
        wrapped = _wrap_run(run)
        wrapped._forktop_wrapped = True
        wrapped.__wrapped__ = run
        setattr(cls, 'run', wrapped)


def _wrap_run(run):
    def wrapped(self, *args, **kwargs):
        try:
            result = run(self, *args, **kwargs)
        except BaseException as e:
            _unseen(e)
            _safe(lambda: _learn_run_end(e))
            raise
        _safe(lambda: _learn_run_end(None))
        return result
    return wrapped


# ---- multiprocessing.popen_fork.Popen (spawn's and forkserver's Popen
# derive from it): signals sent, and the reaps its poll() does.

def _wrap_signal(method, signal_number):
    def wrapped(self):
        if self.returncode is None:
            name = getattr(self, '_forktop_name', '')
            if _in_exit_routine and signal_number == 15:
                _report(wire.EXIT_ROUTINE_TERMINATES, target=self.pid, name=name)
            _report(wire.SIGNALLED, target=self.pid, name=name, value=signal_number)
        try:
            return method(self)
        except BaseException as e:
            _unseen(e)
            raise
    return wrapped


def _wrap_poll(poll):
    def wrapped(self, *args, **kwargs):
        before = self.returncode
        try:
            result = poll(self, *args, **kwargs)
        except BaseException as e:
            _unseen(e)
            raise
        if before is None and self.returncode is not None and not _through_server(self):
            _send(wire.REAPED, target=self.pid, value=_status_of(self.returncode))
        return result
    return wrapped


def _through_server(popen):
    """A forkserver child's code comes from the server, which reaped it."""
    return getattr(popen, 'method', '') == 'forkserver'


# ---- multiprocessing.util: the exit routine.

def _exit_routine_begins():
    global _in_exit_routine
    if not _in_exit_routine:
        _in_exit_routine = True
        _report(wire.EXIT_ROUTINE)


def _wrap_exit_function(exit_function):
    def wrapped(*args, **kwargs):
        if _EXIT_ROUTINE_SEES_RUN:
            _safe(_learn_run_end_from_exit_routine)
        _exit_routine_begins()
        try:
            return exit_function(*args, **kwargs)
        except BaseException as e:
            _unseen(e)
            raise
    return wrapped


# ---- threading: each thread's start and end, the wait for non-daemon
# threads at exit, and the daemon threads cut off.

def _wrap_bootstrap_inner(bootstrap_inner):
    def wrapped(self):
        tid = _safe(_native_id) or 0
        if tid:
            _threads[self] = tid
            _report(wire.THREAD_STARTED, target=tid, name=self.name, value=int(self.daemon))
        try:
            return bootstrap_inner(self)
        except BaseException as e:
            _unseen(e)
            raise
        finally:
            if tid:
                _threads.pop(self, None)
                _report(wire.THREAD_ENDED, target=tid, name=self.name, value=int(self.daemon))
    return wrapped


def _native_id():
    import threading
    return threading.get_native_id()


def _wrap_shutdown(shutdown):
    def wrapped(*args, **kwargs):
        _safe(_threads_awaited)
        try:
            return shutdown(*args, **kwargs)
        except BaseException as e:
            _unseen(e)
            raise
    return wrapped


def _threads_awaited():
    for thread, tid in list(_threads.items()):
        if not thread.daemon and thread.is_alive():
            _report(wire.THREAD_AWAITED, target=tid, name=thread.name, value=0)


def _threads_cut_off():
    for thread, tid in list(_threads.items()):
        if thread.daemon and thread.is_alive():
            _report(wire.THREAD_CUT_OFF, target=tid, name=thread.name, value=1)
    _threads.clear()


# ---- the fork server reaps the children it forked.

def _wrap_waitpid(waitpid):
    def wrapped(pid, options):
        try:
            result = waitpid(pid, options)
        except BaseException as e:
            _unseen(e)
            raise
        if _role == wire.HELLO_FORKSERVER and result[0] > 0:
            _send(wire.REAPED, target=result[0], value=result[1])
        return result
    return wrapped


# ---- putting the wrappers in place, when each module is imported.

def _mp_process():
    return sys.modules['multiprocessing.process']


def _unseen(error):
    """Takes the wrapper's own frame out of the traceback of an error that
    passes through it, so that the program prints the traceback it prints
    without the hook. A bare raise then keeps the traceback as it is from
    Python 3.11 on; before, it puts the frame back (one more entry)."""
    try:
        tb = error.__traceback__
        if tb is not None and tb.tb_frame is sys._getframe(1):
            error.__traceback__ = tb.tb_next
    except Exception:
        pass


def _safe(call):
    try:
        return call()
    except Exception:
        return None


def _replace(owner, name, wrap):
    original = getattr(owner, name, None)
    if original is not None:
        setattr(owner, name, wrap(original))


def _patch_process(module):
    cls = module.BaseProcess
    _replace(cls, 'start', _wrap_start)
    _replace(cls, 'join', _wrap_join)
    _replace(cls, 'is_alive', _wrap_is_alive)
    _replace(cls, '_bootstrap', _wrap_bootstrap)


def _patch_popen_fork(module):
    cls = module.Popen
    _replace(cls, 'poll', _wrap_poll)
    cls.terminate = _wrap_signal(cls.terminate, 15)
    cls.kill = _wrap_signal(cls.kill, 9)
    if hasattr(cls, 'interrupt'):  # Process.interrupt(), Python 3.14
        cls.interrupt = _wrap_signal(cls.interrupt, 2)


def _patch_util(module):
    import atexit
    _replace(module, '_exit_function', _wrap_exit_function)
    # main runs the exit routine from atexit, which holds the original:
    # handlers run last in, first out, so this one comes just before it
    atexit.register(_exit_routine_begins)


def _patch_threading(module):
    _replace(module.Thread, '_bootstrap_inner', _wrap_bootstrap_inner)
    _replace(module, '_shutdown', _wrap_shutdown)


# A helper is a fresh interpreter whose current_process() is MainProcess
# too: it is named by its role, as the lab names it.
_HELPER_NAMES = {wire.HELLO_TRACKER: 'resource_tracker', wire.HELLO_FORKSERVER: 'forkserver'}

_PATCHES = {
    'threading': _patch_threading,
    'multiprocessing.process': _patch_process,
    'multiprocessing.popen_fork': _patch_popen_fork,
    'multiprocessing.util': _patch_util,
}


def _patch(name, module):
    if name in _patched:
        return
    _patched.add(name)
    try:
        _PATCHES[name](module)
    except Exception:
        pass


class _AfterImport:
    """A finder that asks the others, and wraps the loader of a module this
    hook patches so that the patch follows its first execution."""

    def find_spec(self, name, path=None, target=None):
        if name not in _PATCHES or name in _patched:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or isinstance(loader, type) or not hasattr(loader, 'exec_module'):
            return spec
        execute = loader.exec_module

        def exec_module(module):
            execute(module)
            _patch(name, module)
        loader.exec_module = exec_module
        return spec

    def invalidate_caches(self):
        pass


def _after_fork_in_child():
    global _in_exit_routine, _role, _in_child_bootstrap, _run_end, _inherited_error
    _inherited_error = _safe(_printed_error)
    _in_exit_routine = False
    _in_child_bootstrap, _run_end = False, None
    _role = 0  # a fork server's child is a member, not a server
    _threads.clear()


def _at_exit():
    """The last atexit handler (the first registered): after the exit
    routine, the exception that ended the program, if one did, then the
    daemon threads cut off."""
    _safe(_report_uncaught)
    _safe(_threads_cut_off)


def _printed_error():
    """The exception the interpreter printed as uncaught (sys.last_exc from
    3.12, sys.last_value before), or None."""
    error = getattr(sys, 'last_exc', None)
    return error if error is not None else getattr(sys, 'last_value', None)


def _report_uncaught():
    # a forked child inherits its creator's
    error = _printed_error()
    if error is not None and error is not _inherited_error:
        _send(wire.REPORT, kind=wire.UNCAUGHT, text=_type_name(type(error)))


def install():
    global _link, _role
    address = os.environ.get(ADDRESS_VARIABLE, '')
    if not address or _link is not None:
        return
    _link = wire.Link('\0' + address)
    _role, spawned = _role_from_command_line()
    os.register_at_fork(after_in_child=_after_fork_in_child)
    import atexit
    atexit.register(_at_exit)
    if _role == wire.HELLO_FORKSERVER:
        os.waitpid = _wrap_waitpid(os.waitpid)
    for name in list(_PATCHES):
        if name in sys.modules:
            _patch(name, sys.modules[name])
    sys.meta_path.insert(0, _AfterImport())
    if not spawned:  # a spawned child says its name from _bootstrap
        _hello(_HELPER_NAMES.get(_role, 'MainProcess'), False, os.getppid())
