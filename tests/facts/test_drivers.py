"""Oncogenic driver alterations."""

from __future__ import annotations

import pytest

from tests.facts import read, reference
from tests.fhir import HGNC, LOINC, SNOMED, concept, condition, driver, observation


@pytest.mark.parametrize("gene", ["EGFR", "ALK", "ROS1", "RET", "MET", "BRAF", "KRAS"])
def test_mcode_genomic_variant(gene: str) -> None:
    found = driver(gene)
    (alteration,) = read(found).drivers
    assert (alteration.gene, alteration.variant) == (gene, None)
    assert alteration.source.reference == reference(found)


def _variant(components: list[dict], **value: object) -> dict:
    return observation((LOINC, "69548-6"), component=components, **value)


def _gene(system: str, code: str) -> dict:
    return {"code": concept(LOINC, "48018-6"), "valueCodeableConcept": concept(system, code)}


PRESENT = {"valueCodeableConcept": concept(LOINC, "LA9633-4")}


def test_ntrk_and_her2_by_hgnc_gene_id_system() -> None:
    found = _variant(
        [
            _gene("http://www.genenames.org/geneId", "HGNC:8031"),
            _gene("http://www.genenames.org/geneId", "HGNC:3430"),
        ],
        **PRESENT,
    )
    assert [d.gene for d in read(found).drivers] == ["NTRK1", "ERBB2"]


def test_fusion_names_the_driver_partner() -> None:
    found = _variant(
        [
            _gene("http://www.genenames.org", "HGNC:1316"),  # EML4 is not a driver gene
            _gene("http://www.genenames.org", HGNC["ALK"]),
        ],
        **PRESENT,
    )
    assert [d.gene for d in read(found).drivers] == ["ALK"]


def test_protein_change_is_the_variant() -> None:
    found = _variant(
        [
            _gene("http://www.genenames.org", HGNC["BRAF"]),
            {
                "code": concept(LOINC, "48004-6"),
                "valueCodeableConcept": concept("http://varnomen.hgvs.org", "c.1799T>A"),
            },
            {
                "code": concept(LOINC, "48005-3"),
                "valueCodeableConcept": concept("http://varnomen.hgvs.org", "p.V600E"),
            },
        ],
        **PRESENT,
    )
    assert read(found).drivers[0].variant == "p.V600E"


def test_dna_change_when_no_protein_change() -> None:
    found = _variant(
        [
            _gene("http://www.genenames.org", HGNC["MET"]),
            {"code": concept(LOINC, "48004-6"), "valueString": "c.3028+1G>T"},
        ],
        **PRESENT,
    )
    assert read(found).drivers[0].variant == "c.3028+1G>T"


def test_positive_interpretation_without_value() -> None:
    found = _variant(
        [_gene("http://www.genenames.org", HGNC["EGFR"])], interpretation=[concept(SNOMED, "10828004")]
    )
    assert [d.gene for d in read(found).drivers] == ["EGFR"]


@pytest.mark.parametrize(
    "value",
    [
        {"valueCodeableConcept": concept(LOINC, "LA9634-2")},  # absent
        {},  # nothing says present
    ],
)
def test_variant_not_present(value: dict) -> None:
    assert read(_variant([_gene("http://www.genenames.org", HGNC["EGFR"])], **value)).drivers == ()


@pytest.mark.parametrize(
    ("code", "gene"), [("703228009", "EGFR"), ("830151004", "ALK"), ("722425009", "ROS1")]
)
def test_driver_defined_disorder(code: str, gene: str) -> None:
    found = condition(SNOMED, code)
    (alteration,) = read(found).drivers
    assert alteration.gene == gene
    assert alteration.source.reference == reference(found)


def test_egfr_expression_is_not_a_driver() -> None:
    assert read(condition(SNOMED, "426964009")).drivers == ()


@pytest.mark.parametrize(
    "ignored", [{"status": "entered-in-error"}, {"status": "cancelled"}, {"patient_id": "someone-else"}]
)
def test_variant_ignored(ignored: dict) -> None:
    assert read(driver("EGFR", **ignored)).drivers == ()


@pytest.mark.parametrize(
    "ignored",
    [{"verification": "refuted"}, {"verification": "entered-in-error"}, {"patient_id": "someone-else"}],
)
def test_driver_disorder_ignored(ignored: dict) -> None:
    assert read(condition(SNOMED, "703228009", **ignored)).drivers == ()
