"""The audit trail: every insert, update and delete of an audited record, in the same transaction.

Recorded by one session hook (``listener.py``) for every class that mixes in ``Audited``, so a
new registry gets its trail without code of its own; a record that is part of another (a station's
sectors) is written into its owner's events (``parts.py``). Set-based writes (the station import)
write the same events in SQL (``sets.py``). Rows can never be updated or deleted: a trigger refuses
it (migration 0003).
"""
