"""Python's GC is paced while rows are converted and a job runs, and left as the program set it
afterwards (also when the job fails, and when the program turned automatic collection off)."""

import gc

import pytest

from weir.datastream import StreamExecutionEnvironment
from weir.table import EnvironmentSettings, TableEnvironment


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def run_both() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    assert sorted(env.from_collection([1, 2, 3]).map(lambda x: x * 2).execute_and_collect()) == [2, 4, 6]
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    assert sorted(r[0] for r in t_env.from_elements([(1,), (2,)], ["x"]).execute().collect()) == [1, 2]


def test_thresholds_are_restored_after_jobs(thresholds):
    gc.set_threshold(555, 7, 9)
    run_both()
    assert gc.get_threshold() == (555, 7, 9)


def test_collection_stays_off_when_the_program_turned_it_off(thresholds):
    gc.set_threshold(0, 10, 10)
    run_both()
    assert gc.get_threshold() == (0, 10, 10)


def test_thresholds_are_restored_when_a_job_fails(thresholds):
    gc.set_threshold(600, 10, 10)
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(Exception, match="ZeroDivisionError"):
        list(env.from_collection([1, 0]).map(lambda x: 1 // x).execute_and_collect())
    assert gc.get_threshold() == (600, 10, 10)
