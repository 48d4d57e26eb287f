"""The in-place write lock: an array a graph saved for backward is read-only until backward has used it.

A write into such an array would make that backward silently wrong, so it is an
error instead, at the write. `WriteLock` owns the arrays it has locked (so an id
is never mistaken for another array's), counts how many graphs hold each, and
follows the views that `Tensor.detach()` hands out: a view taken before the
forward pass is locked with its base, and one taken while the base was locked is
writable again once the base is.
"""

import sys
import weakref

import numpy as np


class Hold(list):
    """What `WriteLock.lock` returns: the entries of the arrays one graph node holds. Dropped before
    `unlock` (a graph freed without a backward pass), it lets go by itself; so a node needs no `__del__`
    of its own, which would run at every node's end."""

    __slots__ = ("lock",)

    def __del__(self):
        if self:
            self.lock.unlock(self)


class WriteLock:
    __slots__ = ("_held", "_views")

    def __init__(self):
        self._held = {}  # id(array) -> [array, number of holders]: the lock keeps what it locked alive
        self._views = {}  # id(array) -> (weak ref to the array, [weak refs to views detach() made of it])

    def lock(self, saved):
        """Make each saved array, the arrays it is a view of and their detached views read-only; returns
        the `Hold` for `unlock`. Arrays already read-only for another reason (a broadcast, a view of a
        result) are left so."""
        held, token = self._held, Hold()
        token.lock = self
        for a in saved:
            while type(a) is np.ndarray:
                entry = held.get(id(a))
                if entry is None and a.flags.writeable:
                    a.setflags(False)  # (write=False, positional: setflags parses keywords slowly)
                    entry = held[id(a)] = [a, 0]
                    if self._views:
                        for view in self._followed(a):
                            view.setflags(False)
                if entry is not None:
                    entry[1] += 1
                    token.append(entry)  # the entry itself: unlock needs no look-up
                a = a.base
        return token

    def unlock(self, token):
        """Let go of what `lock` returned; an array (and its detached views) is writable again when its
        last holder lets go."""
        for entry in reversed(token):  # bases before their views
            entry[1] -= 1
            if entry[1]:
                continue
            a = entry[0]
            del self._held[id(a)]
            for array in (a, *self._followed(a)) if self._views else (a,):
                try:
                    array.setflags(True)
                except ValueError:  # a view whose base another graph still holds stays read-only
                    pass
        token.clear()  # let go once

    def holds(self, array):
        """Whether a graph holds `array`'s memory (the array itself or an array it is a view of)."""
        while type(array) is np.ndarray:
            entry = self._held.get(id(array))
            if entry is not None and entry[0] is array:
                return True
            array = array.base
        return False

    def detach(self, array):
        """A view of `array` that the lock follows (what `Tensor.detach()` holds)."""
        view = array.view()
        a, ref = array, weakref.ref(view)
        while type(a) is np.ndarray:
            entry = self._views.get(id(a))
            if entry is None or entry[0]() is not a:
                entry = self._views[id(a)] = (weakref.ref(a, self._forget(id(a))), [])
            entry[1][:] = [r for r in entry[1] if r() is not None]
            entry[1].append(ref)
            a = a.base
        return view

    def _forget(self, key):
        def forget(ref):
            if self._views.get(key, (None,))[0] is ref:
                del self._views[key]
        return forget

    def _followed(self, array):
        entry = self._views.get(id(array))
        if entry is None or entry[0]() is not array:
            return ()
        return [v for v in (r() for r in entry[1]) if v is not None]


LOCK = WriteLock()  # the one lock every Tensor uses


# numpy's own message for a write into a locked array is only "assignment destination is read-only";
# this note, added where the error is shown (IPython, or a script's traceback), says why and what to do.
READ_ONLY_NOTE = (
    "backprop_course: a Tensor's .data is read-only while a graph holds it for backward (so a write can't make "
    "that backward wrong), and a view of another tensor (reshape, transpose, indexing) stays read-only. Run "
    "backward first, update inside no_grad() with t -= ..., or write into t.clone()."
)


def explain_read_only(error):
    """Add READ_ONLY_NOTE to numpy's "assignment destination is read-only" error (once); returns the error."""
    if (isinstance(error, ValueError) and "read-only" in str(error)
            and READ_ONLY_NOTE not in getattr(error, "__notes__", ())):
        error.add_note(READ_ONLY_NOTE)
    return error


def install_explanation():
    """Show READ_ONLY_NOTE with numpy's read-only error, in IPython and in scripts; never displaces a
    handler someone else installed."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        if not shell.custom_exceptions:
            def show(shell, etype, value, tb, tb_offset=None):
                shell.showtraceback((etype, explain_read_only(value), tb), tb_offset=tb_offset)
            shell.set_custom_exc((ValueError,), show)
    elif sys.excepthook is sys.__excepthook__:
        def hook(etype, value, tb):
            sys.__excepthook__(etype, explain_read_only(value), tb)
        sys.excepthook = hook


install_explanation()
