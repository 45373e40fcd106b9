"""A quicker ``__init__`` for frozen, slotted dataclasses.

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
"""

from __future__ import annotations

import dataclasses

__all__ = ["fast_init", "maker"]


def fast_init(cls: type) -> type:
    """Replace the ``__init__`` of frozen slotted dataclass ``cls`` (see the module).

    Only plain classes qualify: every field in ``__init__``, no default factory,
    no keyword-only field, no ``__post_init__``, no InitVar. Anything else raises
    TypeError at import, not a wrong object later.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init wants a frozen dataclass with slots=True")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_init does not run __post_init__")
    all_fields = cls.__dataclass_fields__
    fields = dataclasses.fields(cls)
    if len(fields) != len(all_fields):  # ClassVar or InitVar pseudo-fields
        raise TypeError(f"{cls.__name__}: fast_init takes plain fields only")
    # a plain slotted class with the same layout: its instances take stores at full
    # speed (no frozen __setattr__), and may be switched to ``cls`` and back
    twin = type(f"_{cls.__name__}Slots", (), {"__slots__": cls.__slots__, "__module__": cls.__module__})
    namespace: dict = {"_cls": cls, "_twin": twin, "_set_class": object.__setattr__}
    args, sets, stores = [], [], []
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes plain fields only")
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
    exec(source, namespace)
    init = namespace["__init__"]
    old = cls.__init__
    init.__qualname__ = old.__qualname__
    init.__module__ = old.__module__
    init.__annotations__ = dict(old.__annotations__)
    cls.__init__ = init
    return cls


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
    exec(f"def __init__(self, {', '.join(fields)}):\n{body}    self.__class__ = _cls\n", namespace)
    twin.__init__ = namespace["__init__"]
    twin.__init__.__qualname__ = f"{twin.__name__}.__init__"
    return twin
