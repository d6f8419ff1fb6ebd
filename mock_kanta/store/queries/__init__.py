"""The store's queries, one module per area: functions (or, for `Store`'s own methods, small mixin classes)
that take the store, or a write session of `Store.transaction()`, and plain values, and return plain rows
(dicts), values or nothing. The areas call these; no module outside `mock_kanta.store` speaks SQL."""
