"""Frozen, slotted records: :func:`record`, a quicker ``__init__`` and constructors.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class sets
each field with ``object.__setattr__(self, name, value)``: a call that looks the
name up on the type every time. A linter run builds tens of thousands of spans,
paragraphs and diagnostics, so :func:`fast_init` gives such a class an
``__init__`` with the same signature (names, order, defaults, annotations) that
stores the fields without that lookup: a class of few fields through each slot's
member descriptor, bound once; a class of many by turning the new object, for
the stores, into an instance of a plain twin class with the very same slots
(plain stores, the fastest there are), then back (``__class__`` assignment, which
Python allows between classes of one layout). About a third to a half less work
per object. Everything else (equality, ordering, hashing, pickling,
``repr``, :func:`dataclasses.replace` and FrozenInstanceError on assignment) is
the dataclass's own and unchanged.

:func:`record` makes the whole class at a small part of the import cost: the
dataclass machinery writes the source of each method and compiles it (some eight
compiles a class, the most of ``import markcheck.model``), where ``record`` lets
:func:`dataclasses.dataclass` read the fields and lay out the slots, then gives the
class methods made once here that do what the written ones do (the same tuples
compared and hashed, the same text, the same errors); only ``__init__`` is compiled.
"""

from __future__ import annotations

import dataclasses
from _thread import get_ident
from operator import attrgetter

from . import kept

__all__ = ["record", "fast_init", "maker"]


def record(cls: type | None = None, /, *, order: bool = False):
    """``@record`` is ``@fast_init`` on ``@dataclass(frozen=True, slots=True)``, and
    ``@record(order=True)`` on ``@dataclass(frozen=True, order=True, slots=True)``: the
    same class to every caller (fields, ``__dataclass_params__``, ``__match_args__``,
    ``__doc__``, equality, ordering, hashing, ``repr``, FrozenInstanceError, pickling,
    :func:`dataclasses.replace`), made without compiling a method per class but
    ``__init__`` (see the module). Plain fields only, as :func:`fast_init`; no
    dataclass base.
    """
    if cls is None:
        return lambda cls: record(cls, order=order)
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: record takes no dataclass base")
    documented = bool(cls.__doc__)
    if not documented:
        cls.__doc__ = "-"  # (the dataclass would read a signature: written below instead)
    original = cls
    # fields, slots and __match_args__ from the dataclass machinery, which writes no
    # method where each is turned off; its parameters then say what the class is
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=True)
    params = cls.__dataclass_params__
    params.init = params.repr = params.eq = params.frozen = True
    params.order = order
    fields = _plain_fields(cls)
    names = tuple(f.name for f in fields)
    methods = {
        "__repr__": _repr_fn(tuple(f.name for f in fields if f.repr)),
        **_compare_fns(_tuple_getter([f.name for f in fields if f.compare]), order),
        **_frozen_fns(original, names),
        "__hash__": _hash_fn(_tuple_getter([f.name for f in fields
                                             if (f.compare if f.hash is None else f.hash)])),
        "__getstate__": _getstate_fn(names),
    }
    for name, fn in methods.items():
        if name in cls.__dict__:
            raise TypeError(f"{cls.__name__}: record would overwrite {name}")
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        fn.__module__ = cls.__module__
        setattr(cls, name, fn)
    if "__setstate__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: record would overwrite __setstate__")
    _install_init(cls, fields, {f.name: f.type for f in fields} | {"return": None})
    cls.__setstate__ = _setstate_fn(cls)
    if not documented:
        cls.__doc__ = cls.__name__ + _signature_text(cls, fields)
    return cls


def _tuple_getter(names: list[str]):
    """The tuple of these fields of an object, as the dataclass writes it: ``(self.a,self.b,)``."""
    if len(names) > 1:
        return attrgetter(*names)  # a tuple of the values, by one C call
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _compare_fns(key, order: bool) -> dict:
    """``__eq__`` (and with ``order`` the four orderings) of the dataclass: the tuples of
    compared fields, where ``other`` is of the very same class; else NotImplemented."""

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    if not order:
        return {"__eq__": __eq__}

    def __lt__(self, other):
        if other.__class__ is self.__class__:
            return key(self) < key(other)
        return NotImplemented

    def __le__(self, other):
        if other.__class__ is self.__class__:
            return key(self) <= key(other)
        return NotImplemented

    def __gt__(self, other):
        if other.__class__ is self.__class__:
            return key(self) > key(other)
        return NotImplemented

    def __ge__(self, other):
        if other.__class__ is self.__class__:
            return key(self) >= key(other)
        return NotImplemented

    return {"__eq__": __eq__, "__lt__": __lt__, "__le__": __le__, "__gt__": __gt__, "__ge__": __ge__}


def _hash_fn(key):
    def __hash__(self):
        return hash(key(self))
    return __hash__


def _repr_fn(shown: tuple[str, ...]):
    """The dataclass's ``__repr__``: ``Span(start=1, end=2)``, and "..." for an object
    met again inside its own repr (in the same thread)."""
    parts = tuple((name + "=", attrgetter(name)) for name in shown)
    running: set = set()

    def __repr__(self):
        key = id(self), get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return self.__class__.__qualname__ + "(" + ", ".join(
                [label + repr(get(self)) for label, get in parts]) + ")"
        finally:
            running.discard(key)

    return __repr__


def _frozen_fns(original: type, names: tuple[str, ...]) -> dict:
    """The dataclass's ``__setattr__`` and ``__delattr__`` of a frozen class, word for word:
    FrozenInstanceError for a field. Like the dataclass's, they test the class as it
    was before its slots were laid out (``original``), so any other name meets
    ``super()`` with a class the object is not of, which raises TypeError."""
    frozen = dataclasses.FrozenInstanceError

    def __setattr__(self, name, value):
        if type(self) is original or name in names:
            raise frozen(f"cannot assign to field {name!r}")
        super(original, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is original or name in names:
            raise frozen(f"cannot delete field {name!r}")
        super(original, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _getstate_fn(names: tuple[str, ...]):
    """The ``__getstate__`` of a frozen slotted dataclass: its field values, in order
    (a list). The dataclass's calls :func:`dataclasses.fields` for every object; a
    run with ``--jobs`` unpickles every diagnostic in the parent."""
    if len(names) > 1:
        values = attrgetter(*names)

        def __getstate__(self):
            return list(values(self))
    else:
        def __getstate__(self):
            return [getattr(self, name) for name in names]

    return __getstate__


def _setstate_fn(cls: type):
    """The ``__setstate__`` of record ``cls``: its own quick ``__init__`` stores the
    values (past the frozen ``__setattr__``, as the dataclass's does)."""
    init = cls.__init__

    def __setstate__(self, state):
        init(self, *state)

    __setstate__.__qualname__ = f"{cls.__qualname__}.__setstate__"
    __setstate__.__module__ = cls.__module__
    return __setstate__


def _signature_text(cls: type, fields) -> str:
    """What ``str(inspect.signature(cls))`` says, less `` -> None`` (the dataclass's
    ``__doc__`` of a class with no docstring), written here where every annotation is a
    string (``from __future__ import annotations``), as inspect would write it."""
    if not all(isinstance(f.type, str) for f in fields):
        import inspect

        return str(inspect.signature(cls)).replace(" -> None", "")
    params = []
    for f in fields:
        text = f"{f.name}: {f.type!r}"
        if f.default is not dataclasses.MISSING:
            text += f" = {f.default!r}"
        params.append(text)
    return f"({', '.join(params)})"


def fast_init(cls: type) -> type:
    """Replace the ``__init__`` of frozen slotted dataclass ``cls`` (see the module).

    Only plain classes qualify: every field in ``__init__``, no default factory,
    no keyword-only field, no ``__post_init__``, no InitVar. Anything else raises
    TypeError at import, not a wrong object later.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init wants a frozen dataclass with slots=True")
    _install_init(cls, _plain_fields(cls), dict(cls.__init__.__annotations__))
    return cls


def _plain_fields(cls: type) -> tuple:
    """The fields of dataclass ``cls``, where :func:`fast_init` can copy its ``__init__``
    (else TypeError)."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_init does not run __post_init__")
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__):  # ClassVar or InitVar pseudo-fields
        raise TypeError(f"{cls.__name__}: fast_init takes plain fields only")
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes plain fields only")
    return fields


def _install_init(cls: type, fields, annotations: dict) -> None:
    """Compile and set the quick ``__init__`` of ``cls`` (see the module)."""
    # a plain slotted class with the same layout: its instances take stores at full
    # speed (no frozen __setattr__), and may be switched to ``cls`` and back
    twin = type(f"_{cls.__name__}Slots", (), {"__slots__": cls.__slots__, "__module__": cls.__module__})
    namespace: dict = {"_cls": cls, "_twin": twin, "_set_class": object.__setattr__}
    args, sets, stores = [], [], []
    for f in fields:
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's store, bound once
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        sets.append(f"_set_{f.name}(self, {f.name})")
        stores.append(f"self.{f.name} = {f.name}")
    if len(fields) > _SWAP_FROM:
        # many fields: become the twin for the stores, then ``cls`` again (a subclass,
        # whose layout may differ, takes the descriptor stores)
        body = ["if type(self) is _cls:", "    _set_class(self, '__class__', _twin)",
                *("    " + line for line in stores), "    self.__class__ = _cls",
                "else:", *("    " + line for line in sets)]
    else:
        body = sets or ["pass"]
    source = f"def __init__(self, {', '.join(args)}):\n" + "".join(f"    {line}\n" for line in body)
    exec(kept.code(source, "<string>"), namespace)  # compiled once per installation
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = annotations
    cls.__init__ = init


#: above this many fields, switching the class twice costs less than a descriptor
#: call per field (measured: about even at three)
_SWAP_FROM = 3


def maker(cls: type):
    """A quicker constructor of ``cls`` (made by :func:`fast_init`) for the hottest
    paths: ``maker(Span)(1, 2) == Span(1, 2)``, every field given, by position.

    It is the twin class of plain slots whose ``__init__`` makes plain stores, then
    switches the new object to ``cls``: what it returns is a ``cls`` like any other.
    """
    fields = [f.name for f in dataclasses.fields(cls)]
    twin = type(f"_{cls.__name__}Maker", (), {"__slots__": cls.__slots__, "__module__": cls.__module__})
    namespace: dict = {"_cls": cls}
    body = "".join(f"    self.{name} = {name}\n" for name in fields)
    source = f"def __init__(self, {', '.join(fields)}):\n{body}    self.__class__ = _cls\n"
    exec(kept.code(source, "<string>"), namespace)
    twin.__init__ = namespace["__init__"]
    twin.__init__.__qualname__ = f"{twin.__name__}.__init__"
    return twin
