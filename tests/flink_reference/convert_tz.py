"""What Flink 2.3 answers for CONVERT_TZ with named time zones, including local times that a
daylight-saving change skips or repeats.

Not part of CI: ``~/.cache/weir/venv-flink/bin/python tests/flink_reference/convert_tz.py``.
"""

from pyflink.table import EnvironmentSettings, TableEnvironment

CASES = [
    ("1970-01-01 00:00:00", "UTC", "America/Los_Angeles"),
    ("2023-07-01 12:00:00", "Asia/Shanghai", "America/Los_Angeles"),
    ("2023-01-15 08:30:45", "America/Los_Angeles", "Asia/Shanghai"),
    ("2023-03-12 02:30:00", "America/Los_Angeles", "UTC"),
    ("2023-11-05 01:30:00", "America/Los_Angeles", "UTC"),
    ("2023-03-26 02:30:00", "Europe/Berlin", "UTC"),
    ("2023-10-29 02:30:00", "Europe/Berlin", "UTC"),
    ("2023-07-01 12:00:00", "Europe/London", "+08:00"),
    ("2023-07-01 12:00:00", "GMT+08:00", "Asia/Kolkata"),
    ("2023-07-01 12:00:00", "Foo/Bar", "UTC"),
    ("2023-07-01 12:00:00", "asia/shanghai", "UTC"),
    ("2023-07-01 12:00:00", "PST", "UTC"),
    ("2023-07-01 12:00:00", "EST", "UTC"),
    ("2023-07-01 12:00:00", "CET", "UTC"),
    ("2023-07-01 12:00:00", "Etc/GMT-3", "UTC"),
    ("2023-07-01 12:00:00.123", "UTC", "Asia/Tokyo"),
]


def main():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    for text, src, dst in CASES:
        q = f"SELECT CONVERT_TZ('{text}', '{src}', '{dst}')"
        with t_env.execute_sql(q).collect() as results:
            print(f"CONVERT_TZ('{text}', '{src}', '{dst}') = {[tuple(r) for r in results]}")


if __name__ == "__main__":
    main()
