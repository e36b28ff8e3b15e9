"""Code normalisation and dates shared by every fact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.facts.codes import ICD10, SKS, ValueSet, icd10, keys_of, sct, sks
from service.facts.dates import to_date


@pytest.mark.parametrize(
    ("system", "code", "keys"),
    [
        ("http://hl7.org/fhir/sid/icd-10", "C34.9", ((ICD10, "C349"),)),
        ("http://hl7.org/fhir/sid/icd-10-cm", "c79.51", ((ICD10, "C7951"),)),
        ("urn:oid:1.2.208.176.2.4.12", "DC349", ((SKS, "DC349"), (ICD10, "C349"))),
        ("urn:oid:1.2.208.176.2.4", "DC349+AZCD41", ((SKS, "DC349"), (ICD10, "C349"), (SKS, "AZCD41"))),
        ("https://kip.rkkp.dk/fhir/CodeSystem/SKS", "BWGC1", ((SKS, "BWGC1"),)),
        ("http://snomed.info/sct", " 254637007 ", (("http://snomed.info/sct", "254637007"),)),
        (None, "C34.9", ()),
    ],
)
def test_keys_of(system: str | None, code: str, keys: tuple) -> None:
    assert keys_of(system, code) == keys


def test_prefix_matching_applies_to_classifications_only() -> None:
    value_set = ValueSet(icd10("C79.5"), sks("BWG"), sct("94222008"))
    assert value_set.matches(keys_of("urn:oid:1.2.208.176.2.4.12", "DC795A"))
    assert value_set.matches(keys_of("urn:oid:1.2.208.176.2.4", "BWGC1"))
    assert not value_set.matches(keys_of("http://hl7.org/fhir/sid/icd-10", "C79.4"))
    assert not value_set.matches(keys_of("http://snomed.info/sct", "942220081"))
    assert not value_set.matches(keys_of("http://example.org/other", "C79.5"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026", date(2026, 1, 1)),
        ("2026-03", date(2026, 3, 1)),
        ("2026-03-15", date(2026, 3, 15)),
        (date(2026, 3, 15), date(2026, 3, 15)),
        (datetime(2026, 3, 15, 23, 30, tzinfo=UTC), date(2026, 3, 16)),  # Copenhagen, winter time
        (datetime(2026, 7, 15, 22, 30, tzinfo=UTC), date(2026, 7, 16)),  # summer time
        (datetime(2026, 7, 15, 21, 30, tzinfo=timezone(timedelta(hours=-1))), date(2026, 7, 16)),
        (datetime(2026, 3, 15, 23, 30), date(2026, 3, 15)),  # no zone: as written
        ("garbage", None),
        (None, None),
    ],
)
def test_to_date(value: object, expected: date | None) -> None:
    assert to_date(value) == expected
