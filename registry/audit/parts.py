"""Parts written into their owner's trail: a station's sectors are one field of the station's events.

A part (a class with ``__audit_part_of__``, registry.audit.models.PartOf) has no events of its own:
a flush that adds, changes or removes parts gives its owner's event a field listing every part of
the owner before and after (``{"sectors": [[{"sector_no": 1, "azimuth_deg": 0.0, …}], […]]}``, in the
order of ``PartOf.order``; the part's id and owner column left out). An owner that the flush did not
change otherwise gets an update event with that field alone. The station import writes the same
field set-based (``part_list_sql``), so the history reads both the same way.

After a flush the database holds the parts as they are now; each part's state before is that, with
the flush's own changes taken back (the attribute history of the changed parts, the loaded values of
the removed ones, the added ones left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from registry.audit.models import Audited

# (owner entity type, owner id) → (field, its parts before the flush, its parts after)
Folded = dict[tuple[str, str], tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]


def part_columns(model: type[Audited], skipped: frozenset[str]) -> list[str]:
    """The columns a part is listed by: its audited columns, less its id and its owner column."""
    part = model.__audit_part_of__
    assert part is not None
    skipped = skipped | model.__audit_exclude__
    keys = [a.key for a in inspect(model).column_attrs if a.key not in skipped]
    primary = {c.key for c in inspect(model).primary_key}
    return [k for k in keys if k not in primary and k != part.column]


def part_list_sql(model: type[Audited], skipped: frozenset[str], values: dict[str, str]) -> str:
    """SQL of one part as the trail lists it: ``jsonb_build_object`` of ``values`` (column → SQL)."""
    columns = part_columns(model, skipped)
    assert set(values) == set(columns), (sorted(values), columns)
    pairs = ", ".join(f"'{c}', {values[c]}" for c in columns)
    return f"jsonb_build_object({pairs})"


def fold(
    session: Session, changed: Iterable[tuple[Any, str]], skipped: frozenset[str], plain: Callable[[Any], Any]
) -> Folded:
    """The owners whose parts ``changed`` (each a part and "create", "update" or "delete") in this flush,
    with their parts before and after (an owner added by the flush had none before, one removed has
    none after)."""
    by_model: dict[type[Audited], list[tuple[Any, str]]] = defaultdict(list)
    for obj, action in changed:
        by_model[type(obj)].append((obj, action))
    folded: Folded = {}
    for model, items in by_model.items():
        folded.update(_fold_model(session, model, items, skipped, plain))
    return folded


def _fold_model(
    session: Session,
    model: type[Audited],
    items: list[tuple[Any, str]],
    skipped: frozenset[str],
    plain: Callable[[Any], Any],
) -> Folded:
    part = model.__audit_part_of__
    assert part is not None
    columns = part_columns(model, skipped)
    table = inspect(model).local_table
    (pk,) = inspect(model).primary_key
    added: set[Any] = set()
    taken_back: dict[Any, dict[str, Any]] = {}  # a changed part's values before the flush
    removed: list[dict[str, Any]] = []
    owners: set[Any] = set()
    for obj, action in items:
        state = inspect(obj)
        if action == "create":
            added.add(getattr(obj, pk.key))
            owners.add(state.dict.get(part.column))
        elif action == "delete":
            loaded = state.dict
            removed.append({part.column: loaded.get(part.column), **{c: plain(loaded.get(c)) for c in columns}})
            owners.add(loaded.get(part.column))
        else:
            before = {}
            for key in (part.column, *columns):
                history = get_history(obj, key)
                if history.has_changes() and history.deleted:
                    before[key] = plain(history.deleted[0]) if key != part.column else history.deleted[0]
            taken_back[getattr(obj, pk.key)] = before
            owners.add(state.dict.get(part.column))
            owners.add(before.get(part.column, state.dict.get(part.column)))
    owners.discard(None)
    now: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    was: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    query = select(table.c[pk.name], table.c[part.column], *(table.c[c] for c in columns)).where(
        table.c[part.column].in_(sorted(owners))
    )
    for row in session.connection().execute(query):
        key, owner, values = row[0], row[1], {c: plain(v) for c, v in zip(columns, row[2:], strict=True)}
        now[owner].append(values)
        if key in added:
            continue
        before = {part.column: owner, **values, **taken_back.get(key, {})}
        was[before.pop(part.column)].append(before)
    for row in removed:
        values = dict(row)
        was[values.pop(part.column)].append(values)

    def listed(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(parts, key=lambda p: (p.get(part.order) is None, p.get(part.order)))

    return {(part.owner, str(owner)): (part.field, listed(was[owner]), listed(now[owner])) for owner in owners}
