"""Metastases by organ, lesion counts, and the complications and pain that belong to them."""

from __future__ import annotations

import pytest

from service.facts.model import Organ, Region
from tests.facts import read, reference
from tests.fhir import (
    CONCEPT,
    ICD10,
    ICD10CM,
    SITE_CODES,
    SKS,
    SKS_D,
    SNOMED,
    concept,
    condition,
    metastasis,
    observation,
    ref,
    rt_order,
    stated,
    symptom,
)

SPINE = (SNOMED, SITE_CODES["thoracic-spine"])
FEMUR = (SNOMED, SITE_CODES["femur"])


@pytest.mark.parametrize(
    ("system", "code", "organ"),
    [
        (SNOMED, "94225005", Organ.BRAIN),
        (SNOMED, "94222008", Organ.BONE),
        (SNOMED, "94381002", Organ.LIVER),
        (SNOMED, "94161006", Organ.ADRENAL),
        (ICD10, "C79.3", Organ.BRAIN),
        (ICD10CM, "C79.51", Organ.BONE),
        (ICD10CM, "C79.31", Organ.BRAIN),
        (SKS_D, "DC795", Organ.BONE),
        (SKS, "DC787", Organ.LIVER),
        (ICD10, "C79.7", Organ.ADRENAL),
        (ICD10, "C79.0", Organ.KIDNEY),
        (ICD10, "C79.2", Organ.SKIN),
        (ICD10, "C79.8", Organ.SOFT_TISSUE),
        (ICD10, "C78.0", Organ.LUNG),
        (ICD10, "C78.2", Organ.PLEURA),
        (ICD10, "C77.3", Organ.LYMPH_NODE),
        (ICD10, "C78.6", Organ.OTHER),
    ],
)
def test_organ_from_the_code(system: str, code: str, organ: Organ) -> None:
    met = condition(system, code)
    (found,) = read(met).metastases
    assert found.organ is organ
    assert found.source.reference == reference(met)


@pytest.mark.parametrize(
    ("site", "organ"),
    [
        ("liver", Organ.LIVER),
        ("brain", Organ.BRAIN),
        ("femur", Organ.BONE),
        ("soft-tissue", Organ.SOFT_TISSUE),
    ],
)
def test_generic_metastasis_code_with_body_site(site: str, organ: Organ) -> None:
    met = condition(SNOMED, "128462008", body_site=(SNOMED, SITE_CODES[site]))
    (found,) = read(met).metastases
    assert found.organ is organ


def test_generic_metastasis_code_without_site_is_another_organ() -> None:
    (found,) = read(condition(SNOMED, "128462008")).metastases
    assert found.organ is Organ.OTHER


def test_site_is_read_from_body_site() -> None:
    (found,) = read(metastasis("bone", body_site=SPINE)).metastases
    assert found.site.region is Region.THORACIC_SPINE
    assert found.site.body_structure == SITE_CODES["thoracic-spine"]


def test_lesion_count_extension() -> None:
    (found,) = read(metastasis("brain", lesions=3)).metastases
    assert found.lesion_count == 3


def test_lesion_count_missing_is_unknown() -> None:
    (found,) = read(metastasis("brain")).metastases
    assert found.lesion_count is None


@pytest.mark.parametrize(
    "ignored",
    [
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"status": "resolved"},
        {"status": "remission"},
        {"abated": "2026-09-01"},
        {"patient_id": "someone-else"},
    ],
)
def test_metastasis_ignored(ignored: dict) -> None:
    assert read(metastasis("bone", **ignored)).metastases == ()


# --- pathological fracture ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (SNOMED, "268029009"),
        (ICD10, "M84.5"),
        (ICD10CM, "M84.48XA"),
        (SKS_D, "DM844"),
    ],
)
def test_pathological_fracture_at_the_same_site(system: str, code: str) -> None:
    fracture = condition(system, code, body_site=FEMUR)
    (found,) = read(metastasis("bone", body_site=FEMUR), fracture).metastases
    assert found.pathological_fracture.reference == reference(fracture)


def test_pathological_fracture_elsewhere_does_not_count() -> None:
    fracture = symptom("pathological-fracture", body_site=(SNOMED, SITE_CODES["humerus"]))
    (found,) = read(metastasis("bone", body_site=FEMUR), fracture).metastases
    assert found.pathological_fracture is None


def test_pathological_fracture_named_by_the_order_for_the_metastasis() -> None:
    met = metastasis("bone")
    fracture = symptom("pathological-fracture")
    order = rt_order("femur", 8, 1, reason=[ref(met), ref(fracture)])
    (found,) = read(met, fracture, orders=(order,)).metastases
    assert found.pathological_fracture.reference == reference(fracture)


def test_pathological_fracture_without_site_or_order_does_not_count() -> None:
    (found,) = read(metastasis("bone", body_site=FEMUR), symptom("pathological-fracture")).metastases
    assert found.pathological_fracture is None


def test_healed_fracture_does_not_count() -> None:
    fracture = symptom("pathological-fracture", body_site=FEMUR, status="resolved")
    (found,) = read(metastasis("bone", body_site=FEMUR), fracture).metastases
    assert found.pathological_fracture is None


# --- soft-tissue component and spinal cord involvement ------------------------------------------


def test_soft_tissue_component_stated_at_the_same_site() -> None:
    component = stated("soft-tissue-component", body_site=SPINE)
    (found,) = read(metastasis("bone", body_site=SPINE), component).metastases
    assert found.soft_tissue_component.reference == reference(component)


def test_soft_tissue_component_coded_on_the_metastasis_itself() -> None:
    met = metastasis("bone")
    met["code"]["coding"].append({"system": CONCEPT, "code": "soft-tissue-component"})
    (found,) = read(met).metastases
    assert found.soft_tissue_component.reference == reference(met)


def test_soft_tissue_component_observation_focused_on_the_metastasis() -> None:
    met = metastasis("bone")
    component = observation((CONCEPT, "soft-tissue-component"), focus=[ref(met)])
    (found,) = read(met, component).metastases
    assert found.soft_tissue_component.reference == reference(component)


def test_spinal_cord_involvement_stated_at_the_same_site() -> None:
    involvement = stated("spinal-cord-involvement", body_site=SPINE)
    (found,) = read(metastasis("bone", body_site=SPINE), involvement).metastases
    assert found.spinal_cord_involvement.reference == reference(involvement)


def test_mscc_at_the_site_is_spinal_cord_involvement() -> None:
    mscc = symptom("mscc", body_site=SPINE)
    (found,) = read(metastasis("bone", body_site=SPINE), mscc).metastases
    assert found.spinal_cord_involvement.reference == reference(mscc)


def test_mscc_without_site_involves_spinal_metastases_only() -> None:
    mscc = symptom("mscc")
    spine, femur = metastasis("bone", body_site=SPINE), metastasis("bone", body_site=FEMUR)
    by_source = {m.source.reference: m for m in read(spine, femur, mscc).metastases}
    assert by_source[reference(spine)].spinal_cord_involvement.reference == reference(mscc)
    assert by_source[reference(femur)].spinal_cord_involvement is None


def test_complications_are_read_for_bone_only() -> None:
    liver = condition(SNOMED, "128462008", body_site=(SNOMED, SITE_CODES["liver"]))
    component = stated("soft-tissue-component", body_site=(SNOMED, SITE_CODES["liver"]))
    (found,) = read(liver, component).metastases
    assert found.soft_tissue_component is None


# --- pain -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (SNOMED, "22253000"),
        (SNOMED, "12584003"),
        (ICD10, "R52.1"),
        (ICD10CM, "G89.3"),
        (SKS_D, "DR521"),
    ],
)
def test_pain_named_by_the_order_for_the_metastasis(system: str, code: str) -> None:
    met = metastasis("bone", body_site=FEMUR)
    order = rt_order("femur", 8, 1, reason=[ref(met)], reason_codes=[(system, code)])
    (found,) = read(met, orders=(order,)).metastases
    assert [s.reference for s in found.pain] == [reference(order)]


def test_pain_on_an_order_for_another_metastasis_does_not_count() -> None:
    met, other = metastasis("bone", body_site=FEMUR), metastasis("bone", body_site=SPINE)
    order = rt_order("thoracic-spine", 8, 1, reason=[ref(other)], reason_codes=[(SNOMED, "22253000")])
    by_source = {m.source.reference: m for m in read(met, other, orders=(order,)).metastases}
    assert by_source[reference(met)].pain == ()
    assert by_source[reference(other)].pain


def test_order_reason_that_is_not_pain_does_not_count() -> None:
    met = metastasis("bone", body_site=FEMUR)
    order = rt_order("femur", 8, 1, reason=[ref(met)], reason_codes=[(SNOMED, "49727002")])
    (found,) = read(met, orders=(order,)).metastases
    assert found.pain == ()


def test_active_pain_condition_at_the_same_site() -> None:
    pain = symptom("pain", body_site=FEMUR)
    (found,) = read(metastasis("bone", body_site=FEMUR), pain).metastases
    assert [s.reference for s in found.pain] == [reference(pain)]


@pytest.mark.parametrize(
    "pain_kwargs",
    [
        {"body_site": (SNOMED, SITE_CODES["humerus"])},
        {},
        {"body_site": FEMUR, "status": "resolved"},
        {"body_site": FEMUR, "verification": "refuted"},
    ],
)
def test_pain_condition_that_does_not_count(pain_kwargs: dict) -> None:
    (found,) = read(metastasis("bone", body_site=FEMUR), symptom("pain", **pain_kwargs)).metastases
    assert found.pain == ()


def test_pathological_fracture_observation_at_the_same_site() -> None:
    fracture = observation((SNOMED, "268029009"), bodySite=concept(SNOMED, SITE_CODES["femur"]))
    (found,) = read(metastasis("bone", body_site=FEMUR), fracture).metastases
    assert found.pathological_fracture.reference == reference(fracture)
