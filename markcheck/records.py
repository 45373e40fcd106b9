"""A quicker ``__init__`` for frozen, slotted dataclasses.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class sets
each field with ``object.__setattr__(self, name, value)``: a call that looks the
name up on the type every time. A linter run builds tens of thousands of spans,
paragraphs and diagnostics, so :func:`fast_init` gives such a class an
``__init__`` with the same signature (names, order, defaults, annotations) that
stores each field through its slot's member descriptor, bound once (about a third
less work per object). Everything else (equality, ordering, hashing, pickling,
``repr``, :func:`dataclasses.replace` and FrozenInstanceError on assignment) is
the dataclass's own and unchanged.
"""

from __future__ import annotations

import dataclasses

__all__ = ["fast_init"]


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
    namespace: dict = {}
    args, body = [], []
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes plain fields only")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's store, bound once
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, namespace)
    init = namespace["__init__"]
    old = cls.__init__
    init.__qualname__ = old.__qualname__
    init.__module__ = old.__module__
    init.__annotations__ = dict(old.__annotations__)
    cls.__init__ = init
    return cls
