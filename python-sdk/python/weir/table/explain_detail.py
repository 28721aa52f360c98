"""``ExplainDetail``, ``SqlDialect`` and ``ChangelogMode``, as in ``pyflink.table``."""

from __future__ import annotations

from enum import Enum

from weir.common.types import RowKind


class ExplainDetail(Enum):
    """Extra details for ``explain`` (accepted; Weir's explain prints its plan and job spec)."""

    ESTIMATED_COST = 0
    CHANGELOG_MODE = 1
    JSON_EXECUTION_PLAN = 2
    PLAN_ADVICE = 3


class SqlDialect(Enum):
    """The SQL dialect: Weir speaks Flink SQL (``DEFAULT``)."""

    DEFAULT = 0
    HIVE = 1


class ChangelogMode:
    """The row kinds a changelog contains."""

    def __init__(self, kinds: frozenset[RowKind]) -> None:
        self.kinds = kinds

    @staticmethod
    def insert_only() -> "ChangelogMode":
        """Inserts only."""
        return ChangelogMode(frozenset({RowKind.INSERT}))

    @staticmethod
    def upsert() -> "ChangelogMode":
        """Inserts, updates (after-images) and deletes."""
        return ChangelogMode(frozenset({RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE}))

    @staticmethod
    def all() -> "ChangelogMode":
        """Every row kind."""
        return ChangelogMode(frozenset(RowKind))

    def contains(self, kind: RowKind) -> bool:
        """Whether ``kind`` is in the mode."""
        return kind in self.kinds
