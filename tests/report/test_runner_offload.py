"""The runner hands the side sections it asked for early to the month's analysis once."""

from workbench.analysis.month import side_sections
from workbench.report.runner import _offload


class FakeCall:
    taken = False


class FakePreloader:
    def __init__(self):
        self.submitted = []

    def submit(self, function, argument):
        self.submitted.append((function, argument))
        return FakeCall()


def test_the_early_call_is_used_once_then_calls_are_submitted():
    preloader, early = FakePreloader(), FakeCall()
    offload = _offload(preloader, early)
    assert offload(side_sections, "ctx") is early and early.taken
    again = offload(side_sections, "ctx")  # a second computation gets its own call
    assert again is not early and preloader.submitted == [(side_sections, "ctx")]
    other = offload(print, 1)
    assert isinstance(other, FakeCall) and preloader.submitted[-1] == (print, 1)


def test_without_a_preloader_nothing_is_offloaded():
    assert _offload(None, None) is None


def test_without_an_early_call_every_call_is_submitted():
    preloader = FakePreloader()
    offload = _offload(preloader, None)
    offload(side_sections, "ctx")
    assert preloader.submitted == [(side_sections, "ctx")]
