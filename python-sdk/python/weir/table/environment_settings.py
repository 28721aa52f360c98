"""``EnvironmentSettings`` and ``TableConfig``, as in ``pyflink.table``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weir.table.table_environment import TableEnvironment


class EnvironmentSettings:
    """Batch or streaming mode for a :class:`TableEnvironment`."""

    def __init__(self, batch: bool) -> None:
        self._batch = batch

    @staticmethod
    def in_streaming_mode() -> "EnvironmentSettings":
        """Results are a changelog (``+I``, ``-U``, ``+U``, ``-D``)."""
        return EnvironmentSettings(False)

    @staticmethod
    def in_batch_mode() -> "EnvironmentSettings":
        """Bounded inputs; only final rows."""
        return EnvironmentSettings(True)

    @staticmethod
    def new_instance() -> "EnvironmentSettingsBuilder":
        """A builder."""
        return EnvironmentSettingsBuilder()

    def is_streaming_mode(self) -> bool:
        """True in streaming mode."""
        return not self._batch


class EnvironmentSettingsBuilder:
    """Builds :class:`EnvironmentSettings`."""

    def __init__(self) -> None:
        self._batch = False

    def in_batch_mode(self) -> "EnvironmentSettingsBuilder":
        """Batch mode."""
        self._batch = True
        return self

    def in_streaming_mode(self) -> "EnvironmentSettingsBuilder":
        """Streaming mode."""
        self._batch = False
        return self

    def build(self) -> EnvironmentSettings:
        """The settings."""
        return EnvironmentSettings(self._batch)


class TableConfig:
    """Settings of a :class:`TableEnvironment` with Flink's keys (``parallelism.default``,
    ``execution.runtime-mode``, ``table.local-time-zone``); they are ``SET`` in its session."""

    def __init__(self, env: "TableEnvironment") -> None:
        self._env = env

    def set(self, key: str, value: Any) -> "TableConfig":
        """Sets ``key`` (checked: a bad value raises :class:`weir.SqlError`)."""
        text = str(value).replace("'", "''")
        self._env._session.execute_sql(f"SET '{key}' = '{text}'")
        return self

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of ``key``."""
        return self._env._session.config().get(key, default)

    def get_configuration(self) -> "TableConfig":
        """This object (Flink returns a Configuration with ``set_string``)."""
        return self

    def set_string(self, key: str, value: str) -> "TableConfig":
        """Same as :meth:`set`."""
        return self.set(key, value)

    def to_dict(self) -> dict[str, str]:
        """All settings."""
        return dict(self._env._session.config())

    def set_local_timezone(self, timezone_id: str) -> None:
        """``table.local-time-zone``."""
        self.set("table.local-time-zone", timezone_id)

    def get_local_timezone(self) -> str:
        """``table.local-time-zone`` (``UTC`` when unset)."""
        return self.get("table.local-time-zone", "UTC") or "UTC"

    def add_configuration(self, configuration: Any) -> None:
        """Sets every setting of a ``Configuration``."""
        for k, v in configuration.to_dict().items():
            self.set(k, v)

    def to_map(self) -> dict[str, str]:
        """All settings."""
        return self.to_dict()


from weir.errors import declare_unsupported  # noqa: E402

EnvironmentSettings.Builder = EnvironmentSettingsBuilder  # type: ignore[attr-defined]

declare_unsupported(TableConfig, {
    "get_default": "TableConfig.get_default", "get_idle_state_retention": "state retention (TTL)", "set_idle_state_retention": "state retention (TTL)",
    "get_max_generated_code_length": "code generation settings (Weir does not generate code)",
    "set_max_generated_code_length": "code generation settings (Weir does not generate code)",
    "get_python_executable": "a separate Python executable (functions run in this process)",
    "set_python_executable": "a separate Python executable (functions run in this process)",
    "get_sql_dialect": "SQL dialects (Weir speaks Flink SQL)", "set_sql_dialect": "SQL dialects (Weir speaks Flink SQL)",
})
declare_unsupported(EnvironmentSettings, {
    "get_built_in_catalog_name": "catalogs", "get_built_in_database_name": "catalogs", "get_configuration": "EnvironmentSettings.get_configuration",
})
