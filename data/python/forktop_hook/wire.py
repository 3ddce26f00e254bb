# The reports a hooked Python process sends forktop: the very records a lab
# process sends on its channel (src/labmsg.h), one SOCK_SEQPACKET message
# each. The numbers below are the monitor's; tests/test_pyhook.c checks them
# against src/labmsg.h and src/event.h.
import _socket
import os
import struct
import time

MAGIC = 0x666B7431

# enum lab_msg_type
HELLO = 1
NEW_CHILD = 2
REPORT = 3
REAPED = 4
JOIN_BEGIN = 5
JOIN_END = 6
JOIN_TIMEOUT = 7
ALIVE = 8

# hello bits (LAB_HELLO_*)
HELLO_DAEMON = 1
HELLO_TRACKER = 4
HELLO_FORKSERVER = 8
HELLO_POOL_WORKER = 16
HELLO_MANAGER = 32
HELLO_EXECUTOR_WORKER = 64

# enum event_kind: what a report may say (event_kind_from_lab)
EXIT_ROUTINE = 23
EXIT_ROUTINE_TERMINATES = 24
EXIT_ROUTINE_JOINS = 25
EXITING = 26
SIGNALLED = 29
THREAD_STARTED = 30
THREAD_AWAITED = 31
THREAD_ENDED = 32
THREAD_CUT_OFF = 33
DAEMONIC_CHILDREN_REFUSED = 34
JOIN_REFUSED = 35
IS_ALIVE_REFUSED = 36
RUN_RETURNED = 51
RUN_EXITED = 52
RUN_RAISED = 53
UNCAUGHT = 54

# the identifiers of those kinds (NDJSON "event"), for the check
KIND_NAMES = {
    EXIT_ROUTINE: 'exit_routine',
    EXIT_ROUTINE_TERMINATES: 'exit_routine_terminates',
    EXIT_ROUTINE_JOINS: 'exit_routine_joins',
    EXITING: 'exiting',
    THREAD_STARTED: 'thread_started',
    THREAD_AWAITED: 'thread_awaited',
    THREAD_ENDED: 'thread_ended',
    THREAD_CUT_OFF: 'thread_cut_off',
    DAEMONIC_CHILDREN_REFUSED: 'daemonic_children_refused',
    JOIN_REFUSED: 'join_refused',
    IS_ALIVE_REFUSED: 'is_alive_refused',
    SIGNALLED: 'signalled',
    RUN_RETURNED: 'run_returned',
    RUN_EXITED: 'run_exited',
    RUN_RAISED: 'run_raised',
    UNCAUGHT: 'uncaught',
}

NAME_MAX = 64
TEXT_MAX = 160
# magic, type, pid, target, value, kind, error, creator, sent_ns, name, text
RECORD = struct.Struct('=IIiiiiiiq%ds%ds' % (NAME_MAX, TEXT_MAX))

# The descriptor is moved this high, so that the program's own files get
# the numbers they would get without the hook.
HIGH_FD = 512


def _cut(text, room):
    """text as UTF-8 in at most room - 1 bytes, never cut inside a character."""
    data = str(text).encode('utf-8', 'replace')
    if len(data) < room:
        return data
    return data[:room - 1].decode('utf-8', 'ignore').encode('utf-8')


def record(kind_of_message, target=0, value=0, kind=0, creator=0, name='', text=''):
    return RECORD.pack(MAGIC, kind_of_message, os.getpid(), target, value, kind, 0, creator,
                       time.time_ns(), _cut(name, NAME_MAX), _cut(text, TEXT_MAX))


class Link:
    """The connection to forktop: made at the first report, never blocking.
    A forked child sends on the connection it inherited (forktop knows each
    record's sender from the kernel, not from the connection), so a fork
    costs no connect. When forktop is gone, stopped or slow, reports are
    dropped and the program runs on as it would."""

    def __init__(self, address):
        self.address = address
        self.sock = None
        self.failed = False

    def _connect(self):
        import fcntl
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET | _socket.SOCK_CLOEXEC)
        try:
            high = fcntl.fcntl(s.fileno(), fcntl.F_DUPFD_CLOEXEC, HIGH_FD)
        except OSError:
            high = -1
        if high >= 0:
            s.close()
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET, 0, high)
        s.setblocking(False)
        try:
            s.connect(self.address)
        except OSError:
            s.close()
            self.failed = True
            return
        self.sock = s

    def send(self, data):
        if self.sock is None and not self.failed:
            self._connect()
        if self.sock is None:
            return
        try:
            self.sock.send(data)
        except OSError:
            pass  # full (forktop stopped or slow) or gone: this report is dropped
