"""The settings table: precedence, types, and that the README documents every setting."""

from pathlib import Path

import pytest

from bot.settings import SETTINGS, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting):
    assert f"`BOT_{setting.name}`" in README


def test_environment_overrides_default():
    assert load_settings(environ={"BOT_CHUNK_MAX_WORDS": "50"})["CHUNK_MAX_WORDS"] == 50


def test_explicit_override_beats_environment():
    assert load_settings({"BM25_VARIANT": "plus"}, environ={"BOT_BM25_VARIANT": "l"})["BM25_VARIANT"] == "plus"


def test_unknown_lowercase_setting_is_an_error():
    with pytest.raises(KeyError):
        load_settings({"chunk_size": 3}, environ={})
