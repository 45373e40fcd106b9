"""The quick ``__init__`` of the frozen model records (markcheck.records.fast_init).

Each frozen dataclass of the model, the markings and the diagnostics is checked
against a reference: a plain dataclass made afresh from the same fields, whose
``__init__`` is the one :func:`dataclasses.dataclass` writes. Both must take the
same arguments, store the same values, fill the same defaults and compare, hash,
print and pickle alike; assignment must still raise FrozenInstanceError.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from markcheck import diagnostics, markings, model
from markcheck.records import fast_init, maker, record


def _records():
    out = []
    for module in (model, markings, diagnostics):
        for name in sorted(vars(module)):
            obj = getattr(module, name)
            if (isinstance(obj, type) and obj.__module__ == module.__name__
                    and dataclasses.is_dataclass(obj) and obj.__dataclass_params__.frozen):
                out.append(obj)
    return out


RECORDS = _records()


def _reference(cls):
    """The same record as plain ``@dataclass(frozen=True, slots=True, ...)`` makes it."""
    params = cls.__dataclass_params__
    specs = []
    for f in dataclasses.fields(cls):
        kw = dict(repr=f.repr, compare=f.compare, hash=f.hash)
        if f.default is not dataclasses.MISSING:
            kw["default"] = f.default
        specs.append((f.name, f.type, dataclasses.field(**kw)))
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True, order=params.order,
                                      eq=params.eq, unsafe_hash=params.unsafe_hash)


class _Value:
    """A distinct, hashable, picklable, orderable argument with a readable repr."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other):
        return isinstance(other, _Value) and other.n == self.n

    def __lt__(self, other):
        return self.n < other.n

    def __hash__(self):
        return hash(("_Value", self.n))

    def __repr__(self):
        return f"V{self.n}"


def _args(cls, offset=0):
    return [_Value(i + offset) for i, _ in enumerate(dataclasses.fields(cls))]


def _required(cls):
    return [f for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]


def _state(obj):
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _repr_body(obj):
    return repr(obj).partition("(")[2]


def test_the_model_records_have_the_fast_init():
    names = {cls.__name__ for cls in RECORDS}
    assert {"Span", "Paragraph", "TextBlock", "Banner", "Cable", "Marking", "Diagnostic"} <= names
    for cls in RECORDS:
        assert any(n.startswith("_set_") for n in cls.__init__.__code__.co_names), cls


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_same_signature_as_the_dataclass_init(cls):
    ref = _reference(cls)
    got = inspect.signature(cls.__init__)
    want = inspect.signature(ref.__init__)
    assert [(p.name, p.kind, p.default) for p in got.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in want.parameters.values()]
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_positional_and_keyword_calls_store_every_field(cls):
    ref = _reference(cls)
    args = _args(cls)
    obj, want = cls(*args), ref(*args)
    assert _state(obj) == _state(want)
    assert [getattr(obj, f.name) for f in dataclasses.fields(cls)] == args  # each in its own slot
    kwargs = {f.name: a for f, a in zip(dataclasses.fields(cls), args)}
    assert _state(cls(**dict(reversed(list(kwargs.items()))))) == _state(want)
    half = len(args) // 2
    assert _state(cls(*args[:half], **dict(list(kwargs.items())[half:]))) == _state(want)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_defaults_are_the_dataclass_defaults(cls):
    ref = _reference(cls)
    required = [_Value(i) for i, _ in enumerate(_required(cls))]
    obj, want = cls(*required), ref(*required)
    for f in dataclasses.fields(cls):
        assert getattr(obj, f.name) is getattr(want, f.name), f.name


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_wrong_calls_fail_as_before(cls):
    n = len(dataclasses.fields(cls))
    with pytest.raises(TypeError):
        cls(*_args(cls), _Value(99))
    with pytest.raises(TypeError):
        cls(*_args(cls), no_such_field=1)
    if _required(cls):
        with pytest.raises(TypeError):
            cls()
    with pytest.raises(TypeError):
        cls(*_args(cls)[:1], **{dataclasses.fields(cls)[0].name: 1})  # given twice
    assert n


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_equality_hash_repr_as_the_dataclass(cls):
    ref = _reference(cls)
    args = _args(cls)
    a, b, want = cls(*args), cls(*args), ref(*args)
    assert a == b and not (a != b)
    assert hash(a) == hash(b) == hash(want)
    assert _repr_body(a) == _repr_body(want)
    assert repr(a).startswith(cls.__name__ + "(")
    compared = [i for i, f in enumerate(dataclasses.fields(cls)) if f.compare]
    other = list(args)
    other[compared[-1]] = _Value(1000)
    assert cls(*other) != a
    ignored = [i for i, f in enumerate(dataclasses.fields(cls)) if not f.compare]
    for i in ignored:  # e.g. the telegram text a paragraph reads its words from
        same = list(args)
        same[i] = _Value(2000)
        assert cls(*same) == a and hash(cls(*same)) == hash(a)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_frozen(cls):
    obj = cls(*_args(cls))
    for f in dataclasses.fields(cls):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, f.name, _Value(5))
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, f.name)
    assert _state(obj) == _state(cls(*_args(cls)))
    assert not hasattr(obj, "__dict__")


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_pickle_copy_replace(cls):
    obj = cls(*_args(cls))
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(obj, proto))
        assert type(back) is cls and _state(back) == _state(obj) and back == obj
    assert _state(copy.copy(obj)) == _state(obj)
    assert _state(copy.deepcopy(obj)) == _state(obj)
    first = dataclasses.fields(cls)[0].name
    changed = dataclasses.replace(obj, **{first: _Value(77)})
    assert getattr(changed, first) == _Value(77)
    assert {k: v for k, v in _state(changed).items() if k != first} == \
        {k: v for k, v in _state(obj).items() if k != first}


def test_span_ordering_and_real_values():
    Span = model.Span
    assert Span(1, 2) < Span(1, 3) < Span(2, 0)
    assert sorted([Span(3, 4), Span(1, 9), Span(1, 2)]) == [Span(1, 2), Span(1, 9), Span(3, 4)]
    assert max(Span(0, 5), Span(0, 7)) == Span(0, 7)
    assert Span(1, 2) <= Span(1, 2) and Span(2, 2) >= Span(1, 9)
    assert hash(Span(1, 2)) == hash(Span(start=1, end=2))
    assert Span(2, 5).shifted(10) == Span(12, 15)
    assert repr(Span(1, 2)) == "Span(start=1, end=2)"


def test_real_records_keep_their_defaults():
    span = model.Span(0, 4)
    p = model.Paragraph(span, 1, span, None, None, 3)
    assert (p.section, p.classified_by, p.copy, p.doc) == (1, None, 1, "")
    t = model.TextBlock(span, "abcdef")
    assert (t.marking, t.marking_span, t.after_paragraph, t.text) == (None, None, None, "abcd")
    eo = model.EOLine(span, "E.O.")
    assert (eo.keyword, eo.order, eo.na, eo.decl, eo.tail, eo.valid, eo.error) == \
        ("", None, False, None, "", True, "")
    m = markings.Marking("(C)", markings.Level.C)
    assert (m.level_word, m.noforn, m.rel_to, m.controls, m.valid, m.error) == ("", False, (), (), True, "")
    d = diagnostics.Diagnostic("p", 1, 2, 1, 5, "X001", diagnostics.Severity.ERROR, "msg")
    assert d.name == ""
    assert sorted([d, dataclasses.replace(d, line=0)])[0].line == 0


def test_a_subclass_gets_its_own_class_and_all_fields():
    class Numbered(model.Paragraph):  # a layout of its own: the many-field init must not swap it
        __slots__ = ("extra",)

    class Pair(model.Span):
        __slots__ = ()

    span = model.Span(0, 4)
    p = Numbered(span, 2, span, None, None, 3, doc="abcd")
    assert type(p) is Numbered and (p.number, p.text_start, p.section, p.doc) == (2, 3, 1, "abcd")
    assert type(model.Paragraph(span, 2, span, None, None, 3)) is model.Paragraph
    s = Pair(1, 2)
    assert type(s) is Pair and (s.start, s.end) == (1, 2)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_maker_makes_the_same_record(cls):
    make = maker(cls)
    args = _args(cls)
    made = make(*args)
    assert type(made) is cls and isinstance(made, cls)
    assert _state(made) == _state(cls(*args)) and made == cls(*args) and hash(made) == hash(cls(*args))
    assert repr(made) == repr(cls(*args))
    assert _state(pickle.loads(pickle.dumps(made))) == _state(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, dataclasses.fields(cls)[0].name, 1)
    with pytest.raises(TypeError):
        make(*args[:-1])


def test_model_span_maker():
    made = model._span(3, 7)
    assert type(made) is model.Span and made == model.Span(3, 7) and repr(made) == "Span(start=3, end=7)"
    assert made < model.Span(3, 8) and hash(made) == hash(model.Span(3, 7))


def test_fast_init_refuses_what_it_cannot_copy():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self):
            pass

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KwOnly:
        a: int

    for cls in (NoSlots, NotFrozen, Factory, PostInit, KwOnly):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_fast_init_on_a_fresh_class():
    @fast_init
    @dataclasses.dataclass(frozen=True, slots=True, order=True)
    class Pair:
        left: int
        right: str = "r"
        extra: tuple = ()

    assert Pair(1) == Pair(1, "r", ()) and Pair(1).right == "r" and Pair(1).extra == ()
    assert Pair(right="x", left=2) == Pair(2, "x")
    assert Pair(1) < Pair(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Pair(1).left = 3
    with pytest.raises(TypeError):
        Pair()


# ---------------------------------------------------------------- record (no compile per method)

def _outcome(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the very exception is compared
        return (type(exc), str(exc))


def test_the_model_records_are_made_by_record():
    for cls in RECORDS:  # methods made once in records.py, not compiled per class
        for name in ("__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
            fn = cls.__dict__[name]
            assert fn.__code__.co_filename.endswith("records.py"), (cls, name)
            assert fn.__qualname__ == f"{cls.__qualname__}.{name}" and fn.__module__ == cls.__module__


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_record_class_as_the_dataclass(cls):
    ref = _reference(cls)
    assert cls.__dataclass_params__.__repr__() == ref.__dataclass_params__.__repr__()
    assert cls.__match_args__ == ref.__match_args__
    assert cls.__slots__ == ref.__slots__ and not hasattr(cls, "__weakref__")
    for f, g in zip(dataclasses.fields(cls), dataclasses.fields(ref), strict=True):
        assert (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare,
                dict(f.metadata), f.kw_only) == \
            (g.name, g.type, g.default, g.default_factory, g.init, g.repr, g.hash, g.compare,
             dict(g.metadata), g.kw_only)
    assert cls.__init__.__annotations__ == ref.__init__.__annotations__
    if cls.__doc__.startswith(cls.__name__ + "("):  # no docstring of its own: the signature
        assert cls.__doc__ == ref.__doc__
    ordered = ("__lt__", "__le__", "__gt__", "__ge__")
    if cls.__dataclass_params__.order:
        assert all(name in vars(cls) and name in vars(ref) for name in ordered)
    assert dataclasses.is_dataclass(cls) and dataclasses.is_dataclass(cls(*_args(cls)))


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_record_errors_as_the_dataclass(cls):
    ref = _reference(cls)
    obj, want = cls(*_args(cls)), ref(*_args(cls))
    first = dataclasses.fields(cls)[0].name
    for name in (first, "no_such_attribute"):
        assert _outcome(lambda: setattr(obj, name, 1)) == _outcome(lambda: setattr(want, name, 1))
        assert _outcome(lambda: delattr(obj, name)) == _outcome(lambda: delattr(want, name))
    for op in ("__eq__", "__lt__", "__le__", "__gt__", "__ge__"):
        if op in vars(ref):  # another class, even of the same fields: NotImplemented
            assert getattr(obj, op)(want) is NotImplemented and getattr(obj, op)(1) is NotImplemented
    assert obj != want and obj != 1


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_record_asdict_astuple(cls):
    args = _args(cls)
    obj = cls(*args)
    assert dataclasses.astuple(obj) == tuple(args)
    assert dataclasses.asdict(obj) == {f.name: a for f, a in zip(dataclasses.fields(cls), args)}


def test_record_orders_as_the_dataclass():
    ref = _reference(model.Span)
    pairs = [(a, b) for a in range(3) for b in range(3)]
    for x in pairs:
        for y in pairs:
            for op in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__"):
                assert getattr(model.Span(*x), op)(model.Span(*y)) == getattr(ref(*x), op)(ref(*y))


def test_record_repr_of_itself_and_docstrings():
    @record
    class Box:
        item: object
        label: str = "box"

    @dataclasses.dataclass(frozen=True, slots=True)
    class RefBox:
        item: object
        label: str = "box"

    box, ref = Box([1]), RefBox([1])
    box.item.append(box)  # a record inside itself
    ref.item.append(ref)
    assert repr(box) == repr(ref).replace("RefBox", "Box")
    assert repr(box).endswith("Box(item=[1, ...], label='box')")
    assert Box.__doc__ == RefBox.__doc__.replace("RefBox", "Box") == "Box(item: 'object', label: 'str' = 'box')"

    @record
    class Documented:
        """Words."""
        a: int

    assert Documented.__doc__ == "Words."
    assert Documented(1) == Documented(1) and hash(Documented(1)) == hash((1,))

    @record(order=True)
    class Hidden:
        a: int
        b: str = dataclasses.field(default="", repr=False, compare=False)

    assert repr(Hidden(1, "x")).endswith(".Hidden(a=1)") and Hidden(1, "x") == Hidden(1, "y") < Hidden(2)
    assert hash(Hidden(1, "x")) == hash((1,))

    @record
    class Nothing:
        pass

    assert Nothing() == Nothing() and repr(Nothing()).endswith(".Nothing()") and hash(Nothing()) == hash(())


def test_record_refuses_what_it_cannot_copy():
    with pytest.raises(TypeError):
        @record
        class Factory:
            a: list = dataclasses.field(default_factory=list)
    with pytest.raises(TypeError):
        @record
        class PostInit:
            a: int

            def __post_init__(self):
                pass
    with pytest.raises(TypeError):
        @record
        class OwnRepr:
            a: int

            def __repr__(self):
                return "mine"
    with pytest.raises(TypeError):
        @record
        class Sub(model.Span):
            extra: int
