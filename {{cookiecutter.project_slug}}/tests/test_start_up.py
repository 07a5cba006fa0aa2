"""What config.aws_lambda does at start-up to shorten a cold start."""

import gc

import config.aws_lambda  # noqa: F401  (its import is the start-up)


def test_the_garbage_collector_runs_again_after_start_up() -> None:
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0, "the objects set-up made are not frozen"
