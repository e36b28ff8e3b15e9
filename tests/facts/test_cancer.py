"""Primary lung cancer, histology, and incurable / metastatic disease."""

from __future__ import annotations

import pytest

from service.facts.model import Histology, Organ
from tests.facts import read, reference
from tests.fhir import (
    CONCEPT,
    ICD10,
    ICD10CM,
    LOINC,
    SKS,
    SKS_D,
    SNOMED,
    concept,
    condition,
    lung_cancer,
    m_stage,
    metastasis,
    observation,
    stated,
)

ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
DK_EXT = "http://hl7.dk/fhir/core/CodeSystem/icd10-danish-extensions"
HISTOLOGY_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior"


@pytest.mark.parametrize(
    ("system", "code", "histology"),
    [
        (SNOMED, "254637007", Histology.NSCLC),
        (SNOMED, "254632001", Histology.SCLC),
        (SNOMED, "254626006", Histology.NSCLC),  # adenocarcinoma of lung
        (SNOMED, "683991000119103", Histology.SCLC),  # extensive-stage SCLC
        (SNOMED, "363358000", Histology.UNKNOWN),
        (ICD10, "C34.9", Histology.UNKNOWN),
        (ICD10CM, "C34.90", Histology.UNKNOWN),
        (SKS_D, "DC349", Histology.UNKNOWN),
        (SKS, "DC341", Histology.UNKNOWN),
        (DK_EXT, "C34.9A", Histology.UNKNOWN),
    ],
)
def test_lung_cancer_codes(system: str, code: str, histology: Histology) -> None:
    cancer = condition(system, code)
    facts = read(cancer)
    assert facts.lung_cancer is not None
    assert facts.lung_cancer.histology is histology
    assert facts.lung_cancer.source.reference == reference(cancer)


def test_source_dates_the_diagnosis_by_onset_then_recorded_date() -> None:
    facts = read(lung_cancer(onsetDateTime="2026-03", recorded="2026-04-02"))
    assert facts.lung_cancer.source.recorded.isoformat() == "2026-03-01"


def test_icd_o_3_morphology_in_the_code_gives_histology() -> None:
    cancer = condition(ICD10, "C34.1")
    cancer["code"]["coding"].append({"system": ICDO3, "code": "8041/3"})
    facts = read(cancer)
    assert facts.lung_cancer.histology is Histology.SCLC


def test_mcode_histology_extension_gives_histology_and_its_source() -> None:
    cancer = condition(
        SKS_D, "DC349", extension=[{"url": HISTOLOGY_URL, "valueCodeableConcept": concept(ICDO3, "8140/3")}]
    )
    facts = read(cancer)
    assert facts.lung_cancer.histology is Histology.NSCLC
    assert facts.lung_cancer.histology_source.reference == reference(cancer)


def test_histology_from_another_condition_is_named_as_its_source() -> None:
    diagnosis = condition(ICD10, "C34.9", recorded="2026-11-01")
    typed = lung_cancer("sclc", recorded="2026-10-01")
    facts = read(diagnosis, typed)
    assert facts.lung_cancer.histology is Histology.SCLC
    assert facts.lung_cancer.source.reference == reference(diagnosis)
    assert facts.lung_cancer.histology_source.reference == reference(typed)


def test_the_mcode_typo_80463_is_still_nsclc() -> None:
    cancer = condition(
        ICD10, "C34.9", extension=[{"url": HISTOLOGY_URL, "valueCodeableConcept": concept(ICDO3, "80463/3")}]
    )
    assert read(cancer).lung_cancer.histology is Histology.NSCLC


def test_generic_malignancy_with_a_lung_body_site_is_lung_cancer() -> None:
    cancer = condition(SNOMED, "363346000", body_site=(SNOMED, "39607008"))
    assert read(cancer).lung_cancer is not None


def test_generic_malignancy_elsewhere_is_not_lung_cancer() -> None:
    assert read(condition(SNOMED, "363346000", body_site=(SNOMED, "10200004"))).lung_cancer is None


def test_conflicting_histology_is_unknown_and_reported() -> None:
    facts = read(lung_cancer("nsclc"), lung_cancer("sclc"))
    assert facts.lung_cancer.histology is Histology.UNKNOWN
    assert any("histology" in note.problem for note in facts.data_quality)


def test_a_lung_cancer_in_remission_is_still_the_primary() -> None:
    assert read(lung_cancer(status="remission")).lung_cancer is not None


def test_display_text_alone_is_not_recognised() -> None:
    cancer = condition("http://example.org/local", "123")
    cancer["code"]["coding"][0]["display"] = "Lung cancer"
    cancer["code"]["text"] = "Lungekræft"
    assert read(cancer).lung_cancer is None


@pytest.mark.parametrize(
    "ignored",
    [
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"status": "resolved"},
        {"abated": "2026-01-01"},
        {"patient_id": "someone-else"},
    ],
)
def test_lung_cancer_ignored(ignored: dict) -> None:
    assert read(lung_cancer(**ignored)).lung_cancer is None


# --- incurable / metastatic ---------------------------------------------------------------------


def test_a_metastasis_condition_is_metastatic_disease() -> None:
    bone = metastasis("bone")
    assert [s.reference for s in read(lung_cancer(), bone).metastatic] == [reference(bone)]


@pytest.mark.parametrize(
    ("system", "value"),
    [
        (SNOMED, "1229903009"),  # cM1
        (SNOMED, "1229907005"),  # cM1b
        (SNOMED, "1229923005"),  # pM1c
        ("http://cancerstaging.org", "cM1a"),
        (SKS, "AZCD41C"),
    ],
)
def test_m1_category_observation(system: str, value: str) -> None:
    stage = observation((SNOMED, "399387003"), valueCodeableConcept=concept(system, value))
    assert [s.reference for s in read(stage).metastatic] == [reference(stage)]


def test_m_category_with_a_deprecated_loinc_code() -> None:
    stage = observation((LOINC, "21907-1"), valueCodeableConcept=concept(SNOMED, "1229904003"))
    assert read(stage).metastatic


def test_m0_is_not_metastatic() -> None:
    assert read(m_stage("1229901006")).metastatic == ()


def test_the_latest_m_category_decides() -> None:
    facts = read(m_stage("1229903009", effective="2026-01-10"), m_stage("1229901006", effective="2026-06-10"))
    assert facts.metastatic == ()


def test_cancelled_m_category_is_ignored() -> None:
    assert read(m_stage(status="entered-in-error")).metastatic == ()


@pytest.mark.parametrize(
    ("system", "value"),
    [
        (SNOMED, "1222837003"),
        ("http://cancerstaging.org", "4B"),
        ("http://cancerstaging.org", "IV"),
    ],
)
def test_stage_group_iv_observation(system: str, value: str) -> None:
    group = observation((SNOMED, "399537006"), valueCodeableConcept=concept(system, value))
    assert [s.reference for s in read(group).metastatic] == [reference(group)]


def test_stage_group_iii_is_not_metastatic() -> None:
    group = observation((SNOMED, "399537006"), valueCodeableConcept=concept(SNOMED, "1222806003"))
    assert read(group).metastatic == ()


def test_stage_iv_in_condition_stage_summary() -> None:
    cancer = lung_cancer(stage=[{"summary": concept(SNOMED, "1222837003")}])
    assert [s.reference for s in read(cancer).metastatic] == [reference(cancer)]


def test_sks_diagnosis_with_m1_supplementary_code() -> None:
    cancer = condition(SKS_D, "DC349+AZCD41")
    facts = read(cancer)
    assert facts.lung_cancer is not None
    assert [s.reference for s in facts.metastatic] == [reference(cancer)]


def test_stage_iv_nsclc_disorder_code() -> None:
    assert read(condition(SNOMED, "423121009")).metastatic


@pytest.mark.parametrize("code", ["C77.1", "C77.0", "C77.9"])
def test_regional_or_unspecified_lymph_nodes_are_not_distant_metastases(code: str) -> None:
    facts = read(condition(ICD10, code))
    assert facts.metastatic == ()
    assert facts.metastases == ()


def test_mediastinal_involvement_is_recorded_but_not_metastatic_disease() -> None:
    facts = read(condition(ICD10, "C78.1"))
    assert [m.organ for m in facts.metastases] == [Organ.MEDIASTINUM]
    assert facts.metastatic == ()


def test_m1_in_condition_stage_summary() -> None:
    cancer = lung_cancer(stage=[{"summary": concept(SNOMED, "1229904003")}])
    assert [s.reference for s in read(cancer).metastatic] == [reference(cancer)]


@pytest.mark.parametrize(
    "ignored",
    [
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"status": "resolved"},
        {"patient_id": "someone-else"},
    ],
)
def test_ignored_metastasis_is_no_evidence(ignored: dict) -> None:
    assert read(metastasis("liver", **ignored)).metastatic == ()


# --- stated facts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concept_code", "field"),
    [
        ("not-curable", "not_curable"),
        ("oligometastatic-disease", "oligometastatic"),
        ("oligoprogression", "oligoprogression"),
    ],
)
def test_stated_by_a_condition(concept_code: str, field: str) -> None:
    statement = stated(concept_code)
    assert getattr(read(statement), field).reference == reference(statement)


@pytest.mark.parametrize(
    ("concept_code", "field"),
    [
        ("not-curable", "not_curable"),
        ("oligometastatic-disease", "oligometastatic"),
        ("oligoprogression", "oligoprogression"),
    ],
)
def test_stated_by_an_observation(concept_code: str, field: str) -> None:
    statement = observation((CONCEPT, concept_code), valueBoolean=True)
    assert getattr(read(statement), field).reference == reference(statement)


def test_an_observation_saying_false_states_nothing() -> None:
    assert read(observation((CONCEPT, "oligoprogression"), valueBoolean=False)).oligoprogression is None


@pytest.mark.parametrize(
    "ignored",
    [
        {"verification": "refuted"},
        {"status": "inactive"},
        {"patient_id": "someone-else"},
    ],
)
def test_stated_condition_ignored(ignored: dict) -> None:
    assert read(stated("not-curable", **ignored)).not_curable is None
