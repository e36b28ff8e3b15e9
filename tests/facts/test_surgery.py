"""Brain metastasectomy (CONVENTIONS.md)."""

from __future__ import annotations

import pytest

from tests.facts import read, reference
from tests.fhir import CONCEPT, SITE_CODES, SNOMED, metastasis, procedure, ref

BRAIN = (SNOMED, SITE_CODES["brain"])
SURGERY = (SNOMED, "387713003")


def test_coded_brain_metastasectomy() -> None:
    operation = procedure(CONCEPT, "brain-metastasectomy")
    assert read(operation).brain_metastasectomies[0].reference == reference(operation)


def test_brain_surgery_for_a_brain_metastasis() -> None:
    brain = metastasis("brain")
    operation = procedure(SNOMED, "12345", category=SURGERY, body_site=BRAIN, reason=[ref(brain)])
    assert [s.reference for s in read(brain, operation).brain_metastasectomies] == [reference(operation)]


@pytest.mark.parametrize(
    ("kwargs", "reason_organ"),
    [
        ({"category": SURGERY, "body_site": BRAIN}, "bone"),  # for another metastasis
        ({"category": SURGERY}, "brain"),  # no brain body site
        ({"body_site": BRAIN}, "brain"),  # not surgical
        ({"category": SURGERY, "body_site": BRAIN, "status": "not-done"}, "brain"),
        ({"category": SURGERY, "body_site": BRAIN, "status": "entered-in-error"}, "brain"),
        ({"category": SURGERY, "body_site": BRAIN, "patient_id": "someone-else"}, "brain"),
    ],
)
def test_not_a_brain_metastasectomy(kwargs: dict, reason_organ: str) -> None:
    met = metastasis(reason_organ)
    operation = procedure(SNOMED, "12345", reason=[ref(met)], **kwargs)
    assert read(met, operation).brain_metastasectomies == ()


def test_coded_metastasectomy_not_done_is_ignored() -> None:
    assert read(procedure(CONCEPT, "brain-metastasectomy", status="not-done")).brain_metastasectomies == ()
