"""The publication date written in an article's opening (datelines, labels, date lines)."""

from __future__ import annotations

import pytest

from bilateral.ingest.dateline import find_publication_date

BODY = "\nThe two governments said talks would continue. " * 3


@pytest.mark.parametrize(("text", "expected"), [
    ("WASHINGTON, July 23, 2025 (Reuters) - The United States and Japan agreed.", "2025-07-23"),
    ("TOKYO, Jan. 20, 2026 (Jiji Press) -- Japan's cabinet approved.", "2026-01-20"),
    ("NEW YORK/TOKYO, Sept. 3, 2024 (Reuters) - Shares rose.", "2024-09-03"),
    ("ARLINGTON, Va., March 5, 2025 (AP) — Officials met.", "2025-03-05"),
    ("TOKYO, Wednesday, July 23, 2025 -- Officials met.", "2025-07-23"),
    ("TOKYO, JAN. 20, 2026 (Kyodo) -- Officials met.", "2026-01-20"),
    ("Tokyo, 20 July 2025 - Officials met.", "2025-07-20"),
    # foreign month names
    ("Tokyo, 20 Gennaio 2026 - Il governo giapponese ha approvato.", "2026-01-20"),
    ("PARIS, 3 mars 2025 (AFP) - Le gouvernement a annoncé.", "2025-03-03"),
    ("TOKIO, 1er août 2025 (AFP) - Le Japon a signé.", "2025-08-01"),
    ("MADRID, 20 de enero de 2026 (EFE) - El Gobierno anunció.", "2026-01-20"),
    ("BERLIN, 20. Januar 2026 (dpa) - Die Regierung teilte mit.", "2026-01-20"),
    ("BERLIN, 3. März 2025 (dpa) - Die Regierung teilte mit.", "2025-03-03"),
])
def test_datelines_with_a_year(text, expected):
    assert find_publication_date(text + BODY) == expected


def test_dateline_without_a_year_takes_the_latest_year_in_the_text():
    text = ("TOKYO, Jan. 20 (Jiji Press) -- The government said spending rose in 2024 and "
            "would reach its target in 2025, after a decline in 2019.")
    assert find_publication_date(text) == "2025-01-20"


def test_dateline_without_a_year_in_a_text_without_years_is_unknown():
    text = "TOKYO, Jan. 20 (Jiji Press) -- The government said spending rose sharply."
    assert find_publication_date(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("date 2025-07-23\nJapan and the United States agreed.", "2025-07-23"),
    ("Published: 2025-07-23\nJapan and the United States agreed.", "2025-07-23"),
    ("Published on July 23, 2025 at 10:00\nJapan agreed.", "2025-07-23"),
    ("Posted: 23 July 2025\nJapan agreed.", "2025-07-23"),
    ("Updated July 24, 2025\nJapan and the United States agreed.", "2025-07-24"),
    ("Updated July 2025\nJapan and the United States agreed.", "2025-07"),
    ("Trade deal reached\n2025/07/23\nJapan and the United States agreed.", "2025-07-23"),
    ("Trade deal reached\nJuly 23, 2025\nJapan and the United States agreed.", "2025-07-23"),
    ("Trade deal reached\nBy Jane Doe | July 23, 2025\nJapan agreed.", "2025-07-23"),
    ("Wed, 23 Jul 2025 10:00:00 GMT", "2025-07-23"),
])
def test_labelled_and_standalone_dates(text, expected):
    assert find_publication_date(text + BODY) == expected


def test_published_beats_updated():
    text = "Updated July 24, 2025\nPublished July 23, 2025\nJapan agreed."
    assert find_publication_date(text) == "2025-07-23"


def test_dates_inside_a_long_first_paragraph_are_not_the_publication_date():
    text = ("Japan and the United States, which began talks on Jan. 20, 2025, after the "
            "inauguration, said on Wednesday that negotiators had agreed on most points.")
    assert find_publication_date(text) is None


@pytest.mark.parametrize("text", [
    "",
    "Japan and the United States agreed on a trade framework.",
    "Tariffs of 15% apply to goods worth $550 billion, officials said.",
    "TOKYO (Reuters) - Japan's government said on Wednesday it would respond.",
])
def test_no_date_found(text):
    assert find_publication_date(text) is None


def test_only_the_opening_is_read():
    text = "x" * 500 + "\nJuly 23, 2025\n"
    assert find_publication_date(text) is None
    assert find_publication_date(text, head_chars=600) == "2025-07-23"


def test_impossible_dates_are_rejected():
    assert find_publication_date("Published: 2025-02-30\nText") is None
    assert find_publication_date("TOKYO, Feb. 30, 2025 (Kyodo) -- Text") is None
