"""Cleaning: mojibake undone, real text untouched, site noise out, tables and sections rebuilt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bot.clean import CleaningRules, clean_document, fix_mojibake, load_rules, normalize_text
from bot.models import Document
from bot.settings import load_settings
from bot.sources import load_folder
from bot.text import words

CORPUS = Path(load_settings({}, environ={})["CORPUS_DIR"])
RULES = load_rules(CORPUS / "cleaning.toml")
DOCUMENTS = load_folder(CORPUS)
CLEANED = {d.id: clean_document(d, RULES) for d in DOCUMENTS}



# --- mojibake -----------------------------------------------------------------------------------
@pytest.mark.parametrize("broken, fixed", [
    ("โ€”", "—"),
    ("โ€™", "’"),
    ("โ€“", "–"),
    ("โ€œ", "“"),
    ("â€™", "’"),
    ("Ã©", "é"),
    ("it’s โ€”sure", "it’s —sure"),
])
def test_fix_mojibake_undoes_double_encoding(broken, fixed):
    assert fix_mojibake(broken) == fixed


@pytest.mark.parametrize("text", [
    "café", "naïve", "ภาษาไทย", "plain ASCII", "日本語", "Привет, мир", "¿cuánto cuesta?", "voilà le", "déjà vu",
    "It’s 12 weeks — usually.", "",
    "más barato",
    "café. Next",
    "reçu hier",
    "да. Нет",
    "ไปกิน",
    "โรงพยาบาล",
    "สวัสดีครับ",
    "ไทย—ok",
    "CAFÉ’S",
])
def test_fix_mojibake_leaves_real_text_alone(text):
    assert fix_mojibake(text) == text


def test_fix_mojibake_lost_byte_keeps_following_space():
    assert fix_mojibake("necessary.โ€ The") == "necessary.” The"


def test_fix_mojibake_idempotent_after_thai():
    once = fix_mojibake("าโ€™")
    assert fix_mojibake(once) == once


@pytest.mark.parametrize("text, expected", [
    ("a\u00a0b", "a b"),
    ("a\tb", "a b"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("a\x00b\x01c", "abc"),
    ("e\u0301", "é"),  # NFC
])
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


# Realistic text: letters of several scripts, punctuation, spaces, newlines, and mojibake fragments.
_ALPHABET = st.sampled_from(list("abcXYZ 019.,;:?!-\n()$%") + list("éïàçñüÉ’—“”") + list("ภาษาไทยกข") + list("джЖ"))
_FRAGMENTS = st.sampled_from(["โ€™", "โ€”", "โ€“", "โ€œ", "â€™", "Ã©", "\u00a0", "\r\n", "\t", "\x00"])
TEXT = st.lists(st.one_of(_ALPHABET, _FRAGMENTS), max_size=40).map("".join)


@settings(max_examples=100, deadline=None, database=None)
@given(TEXT)
def test_fix_mojibake_is_idempotent(text):
    once = fix_mojibake(text)
    assert fix_mojibake(once) == once


@settings(max_examples=100, deadline=None, database=None)
@given(TEXT)
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize("doc_id", sorted(CLEANED))
def test_cleaned_text_is_already_normal(doc_id):
    text = CLEANED[doc_id].text
    assert normalize_text(text) == text


# --- never invents text -------------------------------------------------------------------------
@pytest.mark.parametrize("doc_id", sorted(CLEANED))
def test_cleaning_never_invents_words(doc_id):
    cleaned = CLEANED[doc_id]
    raw_words = set(words(normalize_text(cleaned.document.text)))
    assert set(words(cleaned.text)) - raw_words == set()


@pytest.mark.parametrize("doc_id", sorted(CLEANED))
def test_headings_come_from_the_page(doc_id):
    raw_words = set(words(normalize_text(CLEANED[doc_id].document.text)))
    heading_words = {w for s in CLEANED[doc_id].sections for h in s.heading_path for w in words(h)}
    assert heading_words - raw_words == set()


# --- noise out ----------------------------------------------------------------------------------
ALL_TEXT = "\n\n".join(c.text for c in CLEANED.values())
ALL_HEADINGS = "\n".join(h for c in CLEANED.values() for s in c.sections for h in s.heading_path)


@pytest.mark.parametrize("noise", [
    "Ambien", "childrenslymenetwork", "Warning message", "This form submits", "News Release", "Leave here",
    "This will close in", "Who Answers", "USA map", "Page Sources", "Reviewed by", "sources cited",
    "Related Articles", "provided below:", "top-tier IOP programs:", "โ€", "resurgencebehavioralhealth.com",
    "Choosing the right IOP can be a pivotal step", "Intensive Outpatient Program Near Me",
])
def test_noise_never_reaches_cleaned_text(noise):
    assert noise.lower() not in (ALL_TEXT + "\n" + ALL_HEADINGS).lower()


@pytest.mark.parametrize("noise", ["Warning message", "Ambien", "Page Sources", "โ€", "Choosing the right IOP"])
def test_noise_was_in_the_raw_pages(noise):
    """Guards the test above: it would pass vacuously if the corpus lost these pages."""
    assert any(noise in d.text for d in DOCUMENTS)


def test_breadcrumb_home_is_dropped():
    lines = {line.strip().lstrip("-• ").strip() for line in (ALL_TEXT + "\n" + ALL_HEADINGS).split("\n")}
    assert "Home" not in lines


def test_removed_pieces_are_reported():
    assert any(r.startswith("breadcrumb") for r in CLEANED["aurora"].removed)


# --- tables, sections, lists --------------------------------------------------------------------
def _sections_under(last: str):
    return [s for c in CLEANED.values() for s in c.sections if s.heading_path and s.heading_path[-1] == last]


def test_comparison_table_is_rebuilt():
    (cost,) = _sections_under("Cost")
    assert "Outpatient Treatment: Low; (between $1,400 to $10,000 for 30 days)" in cost.text


@pytest.mark.parametrize("column", ["Intensive Outpatient (IOP)", "Inpatient Treatment", "Outpatient Treatment"])
def test_comparison_row_names_each_column(column):
    (cost,) = _sections_under("Cost")
    assert any(f"{column}: " in line for line in cost.text.split("\n"))


@pytest.mark.parametrize("row", [
    "Week 1: Assessment and Orientation",
    "Weeks 2-4: Intensive Treatment Phase",
    "Weeks 5-8: Continued Intensive Treatment and Skill Building",
    "Weeks 9-10: Transition Phase",
    "Weeks 11-12: Maintenance and Discharge Preparation",
    "Post-Program: Aftercare and Follow-Up",
])
def test_schedule_rows_are_sections(row):
    assert len(_sections_under(row)) == 1


@pytest.mark.parametrize("path", [
    ("People Also Ask", "How long is an intensive outpatient program?"),
    ("Frequently Asked Questions", "Does IOP offer Group Therapy?"),
    ("Frequently Asked Questions", "How IOP helps in Treating Substance Abuse?"),
    ("How Long is an Intensive Outpatient Program?",),
    ("Does Insurance Pay for IOP Treatment?",),
    ("How to look for an IOP?",),
])
def test_question_headings_kept_in_heading_paths(path):
    assert path in [s.heading_path for c in CLEANED.values() for s in c.sections]


def test_list_stays_with_its_lead_in():
    (section,) = _sections_under("How IOP helps in Treating Substance Abuse?")
    assert "Here are some areas where IOP can help you;\n- " in section.text


@pytest.mark.parametrize("doc_id", sorted(CLEANED))
def test_sections_index_the_cleaned_text(doc_id):
    cleaned = CLEANED[doc_id]
    assert all(cleaned.text[s.start:s.end] == s.text for s in cleaned.sections)


@pytest.mark.parametrize("doc_id", sorted(CLEANED))
def test_title_is_not_a_section(doc_id):
    cleaned = CLEANED[doc_id]
    assert all(s.heading_path[:1] != (cleaned.document.title,) or s.text for s in cleaned.sections)


def test_generic_rules_apply_without_a_rules_file(tmp_path):
    doc = Document("d", "T", "Home\n\nHeading\n\nUpdated on March 3, 2024\n\nwww.example.com\n\nReal text here.", "d.txt")
    assert "Real text here." in clean_document(doc, load_rules(tmp_path / "missing.toml")).text


@pytest.mark.parametrize("content", ["drop_lines = [", "drop_lines = ['(']"])
def test_bad_rules_file_is_a_value_error(tmp_path, content):
    path = tmp_path / "cleaning.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="cleaning.toml"):
        load_rules(path)


# --- one-paragraph documents (question-answer records) -----------------------------------------
ONE_PARAGRAPH = {
    "link": "How might achondroplasia be treated? Guidelines were published by the Academy; "
            "you can read them at http://www.example.org/guidelines before your next visit.",
    "reviewed by": "Blood glucose that is too high can make you feel sick. Content produced here is carefully "
                   "reviewed by scientists and other experts.",
    "lead-in": "General guidelines for safe seafood consumption:",
    "question only": "What are the symptoms of Bell's palsy?",
}


@pytest.mark.parametrize("name", sorted(ONE_PARAGRAPH))
def test_generic_guesses_never_empty_a_document(name):
    doc = Document("d", "Topic", ONE_PARAGRAPH[name], "records.jsonl:1")
    cleaned = clean_document(doc)
    assert cleaned.text == ONE_PARAGRAPH[name] and len(cleaned.sections) == 1


def test_document_kept_whole_is_reported():
    doc = Document("d", "Topic", ONE_PARAGRAPH["link"], "records.jsonl:1")
    assert any(r.startswith("kept") for r in clean_document(doc).removed)


def test_corpus_rules_still_apply_to_a_one_paragraph_document():
    rules = CleaningRules(drop_lines=(re.compile("Sign up for our newsletter.*", re.IGNORECASE),))
    doc = Document("d", "Topic", "Sign up for our newsletter at www.example.com today and save", "r.jsonl:1")
    assert clean_document(doc, rules).text == ""


def test_spam_paragraph_with_a_link_still_dropped_from_a_page():
    spam = ("Please be careful taking pills with other medicines, I made a mistake once, don't combine "
            "https://spam.example.com/pills pills with anything.")
    doc = Document("d", "Topic", "What it is\n\nReal text about the program.\n\n" + spam, "d.txt")
    assert "spam.example.com" not in clean_document(doc).text


@pytest.mark.parametrize("text, kept", [
    ("Triple X syndrome, also called trisomy X or 47,XXX, is an extra X chromosome.", True),
    ("This condition is sometimes written as 48, XXXX in the reports.", True),
    ("Call us at XXX for the price of the program this week.", False),
])
def test_karyotype_is_not_a_placeholder(text, kept):
    doc = Document("d", "Topic", "Heading\n\nReal text about the program.\n\n" + text, "d.txt")
    assert (text in clean_document(doc).text) is kept
