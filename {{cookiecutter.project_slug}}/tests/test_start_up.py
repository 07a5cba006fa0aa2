"""What config.web_function does at start-up to shorten a cold start."""

import gc

import config.web_function  # noqa: F401  (its import is the start-up)


def test_the_garbage_collector_runs_again_after_start_up() -> None:
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0, "the objects set-up made are not frozen"
