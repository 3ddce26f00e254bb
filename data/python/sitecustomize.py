# forktop's hook, loaded by every Python process of a program that forktop
# started (forktop -- CMD puts this folder first on PYTHONPATH). It tells
# forktop what Python knows and /proc cannot (process names, daemon flags,
# joins, threads), then hands over to the program's own sitecustomize, if
# there is one, as if this file had not been here.
import sys


def _forktop_load():
    try:
        import forktop_hook
        forktop_hook.install()
    except Exception:
        pass  # the hook never changes what the program does: it goes silent


def _forktop_hand_over():
    here = __file__.rpartition('/')[0] or '.'
    # This folder leaves sys.path (the program sees the path it would see
    # without forktop); PYTHONPATH keeps it for the program's children.
    sys.path[:] = [p for p in sys.path if p != here]
    me = sys.modules.pop('sitecustomize')
    try:
        import sitecustomize  # noqa: F401 (the program's own, if any)
    except ImportError as e:
        # the import that runs this file takes its module from sys.modules
        sys.modules['sitecustomize'] = me
        if e.name != 'sitecustomize':
            raise  # site reports it, as it would without forktop


_forktop_load()
_forktop_hand_over()
