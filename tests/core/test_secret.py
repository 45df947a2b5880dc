"""Secret never shows its value, except through reveal()."""

from __future__ import annotations

import copy
import io
import json
import logging
import pickle

import pytest

from maia_tui.core.secret import Secret

CANARY = "canary-9f2c1e7d-value"


def test_every_way_of_printing_masks_the_value() -> None:
    secret = Secret(CANARY)
    rendered = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>40}", format(secret)]
    rendered.append("%s" % (secret,))  # noqa: UP031 - the logging-style path
    rendered.append(str([secret]))
    rendered.append(str({"secret": secret}))
    assert all(CANARY not in text for text in rendered)


def test_logging_never_shows_the_value() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test-secret")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("secret is %s / %r", Secret(CANARY), Secret(CANARY))
        logger.warning("in a dict %s", {"s": Secret(CANARY)})
    finally:
        logger.removeHandler(handler)
    assert "secret is" in stream.getvalue()
    assert CANARY not in stream.getvalue()


def test_json_refuses_and_pickle_refuses() -> None:
    with pytest.raises(TypeError) as json_error:
        json.dumps({"s": Secret(CANARY)})
    assert CANARY not in str(json_error.value)
    with pytest.raises(TypeError):
        pickle.dumps(Secret(CANARY))


def test_exception_text_does_not_carry_the_value() -> None:
    try:
        raise ValueError(f"could not apply {Secret(CANARY)}")
    except ValueError as exc:
        assert CANARY not in str(exc)
        assert CANARY not in repr(exc)


def test_reveal_is_the_one_way_out() -> None:
    assert Secret(CANARY).reveal() == CANARY


def test_fingerprint_is_short_stable_and_not_the_value() -> None:
    fingerprint = Secret(CANARY).fingerprint()
    assert fingerprint == Secret(CANARY).fingerprint()
    assert len(fingerprint) == 8
    assert fingerprint not in CANARY
    assert fingerprint != Secret(CANARY + "x").fingerprint()
    assert fingerprint in repr(Secret(CANARY))


def test_equality_compares_values_and_copies_are_the_same_object() -> None:
    assert Secret(CANARY) == Secret(CANARY)
    assert Secret(CANARY) != Secret("other")
    assert Secret(CANARY) != CANARY  # a Secret never equals a bare string
    assert copy.deepcopy(Secret(CANARY)) == Secret(CANARY)
    assert len({Secret(CANARY), Secret(CANARY)}) == 1


def test_is_immutable_and_wraps_only_strings() -> None:
    secret = Secret(CANARY)
    with pytest.raises(AttributeError):
        secret._value = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Secret(1234)  # type: ignore[arg-type]
    assert Secret(secret).reveal() == CANARY
    assert not Secret("")
