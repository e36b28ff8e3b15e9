"""FHIR resources carried by suggestions: CodeX radiotherapy course prescriptions and prescriptions.

A regimen suggestion for the draft order's site rewrites that order (`update`, same id, the whole
resource); otherwise it is a new draft order (`create`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from service.facts.model import Region, Site
from service.guideline.model import RegimenSuggestion

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
COURSE_PRESCRIPTION_PROFILE = (
    "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/codexrt-radiotherapy-course-prescription"
)
DOSE_PRESCRIBED_URL = (
    "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/codexrt-radiotherapy-dose-prescribed-to-volume"
)
PROCEDURE_INTENT_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent"
BODY_LOCATION_QUALIFIER_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-body-location-qualifier"
STEREOTACTIC_CONCEPT = {"system": "urn:palliative-rt-cds:concept", "code": "stereotactic",
                        "display": "Stereotactic radiotherapy"}
PALLIATIVE = {"system": SNOMED, "code": "363676003", "display": "Palliative - procedure intent"}
RADIOTHERAPY_CATEGORY = {"system": SNOMED, "code": "1287742003", "display": "Radiotherapy (procedure)"}
RADIOTHERAPY_COURSE = {"system": SNOMED, "code": "1217123003",
                       "display": "Radiotherapy course of treatment (regime/therapy)"}
ENTIRE = {"system": SNOMED, "code": "255503000", "display": "Entire"}

REGION_BODY_STRUCTURE: Mapping[Region, tuple[str, str]] = {
    Region.THORAX: ("51185008", "Thoracic structure"),
    Region.CERVICAL_SPINE: ("122494005", "Cervical spine structure"),
    Region.THORACIC_SPINE: ("122495006", "Thoracic spine structure"),
    Region.LUMBAR_SPINE: ("122496007", "Lumbar spine structure"),
    Region.SPINAL_CORD: ("2748008", "Spinal cord structure"),
    Region.NECK: ("45048000", "Neck structure"),
    Region.BRAIN: ("12738006", "Brain structure"),
    Region.BONE: ("119186007", "Bone structure"),
    Region.LIVER: ("10200004", "Liver structure"),
    Region.ADRENAL: ("23451007", "Adrenal gland structure"),
    Region.KIDNEY: ("64033007", "Kidney structure"),
    Region.SKIN: ("39937001", "Skin structure"),
    Region.SOFT_TISSUE: ("87784001", "Soft tissues"),
}


def _body_site(site: Site) -> dict[str, Any]:
    code, display = REGION_BODY_STRUCTURE.get(site.region, (None, site.region.value))
    structure = site.body_structure or code
    if structure is None:
        return {"text": display}
    coding = {"system": SNOMED, "code": structure}
    concept: dict[str, Any] = {"coding": [coding]}
    # The region's display names the region's own code only; a finer structure (femur) keeps it as text.
    if structure == code:
        coding["display"] = display
    else:
        concept["text"] = display
    if site.region is Region.BRAIN and site.whole_brain:
        concept["extension"] = [
            {"url": BODY_LOCATION_QUALIFIER_URL, "valueCodeableConcept": {"coding": [ENTIRE]}}
        ]
    return concept


def _dose_extension(suggestion: RegimenSuggestion, site_display: str) -> dict[str, Any]:
    regimen = suggestion.regimen
    total_cgy = regimen.total_dose_cgy
    value: int | float = (
        total_cgy.numerator if total_cgy.denominator == 1 else round(float(total_cgy), 1)
    )
    return {
        "url": DOSE_PRESCRIBED_URL,
        "extension": [
            {"url": "volume", "valueReference": {"display": site_display}},
            {"url": "totalDose",
             "valueQuantity": {"value": value, "unit": "cGy", "system": UCUM, "code": "cGy"}},
            {"url": "fractions", "valuePositiveInt": regimen.fractions},
        ],
    }


_EMPTY: tuple[Any, ...] = (None, "", [], {})


def _without_empty(value: Any) -> Any:
    """A copy of a draft order without null or empty members: FHIR JSON has none, and a CDS Hooks answer
    must have none, whatever the EHR sent."""
    if isinstance(value, dict):
        members = ((key, _without_empty(item)) for key, item in value.items())
        return {key: item for key, item in members if item not in _EMPTY}
    if isinstance(value, list):
        return [item for item in map(_without_empty, value) if item not in _EMPTY]
    return value


def radiotherapy_request(suggestion: RegimenSuggestion, patient_id: str) -> dict[str, Any]:
    """The suggested course as a CodeX RadiotherapyCoursePrescription ServiceRequest (status draft)."""
    body_site = _body_site(suggestion.site)
    site_display = body_site.get("text") or body_site["coding"][0]["display"]
    replaced = suggestion.replaces.resource if suggestion.replaces is not None else None
    resource: dict[str, Any] = _without_empty(replaced) if replaced else {
        "resourceType": "ServiceRequest",
        "id": str(uuid.uuid4()),
        "status": "draft",
        "intent": "original-order",
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    meta = resource["meta"] = resource["meta"] if isinstance(resource.get("meta"), dict) else {}
    profiles = meta["profile"] = meta["profile"] if isinstance(meta.get("profile"), list) else []
    if COURSE_PRESCRIPTION_PROFILE not in profiles:
        profiles.append(COURSE_PRESCRIPTION_PROFILE)
    extensions = resource.get("extension")
    kept = [ext for ext in (extensions if isinstance(extensions, list) else ())
            if isinstance(ext, dict) and ext.get("url") not in (DOSE_PRESCRIBED_URL, PROCEDURE_INTENT_URL)]
    resource["extension"] = [
        {"url": PROCEDURE_INTENT_URL, "valueCodeableConcept": {"coding": [PALLIATIVE]}},
        _dose_extension(suggestion, site_display),
        *kept,
    ]
    if replaced:
        # The draft's own site and codes stay: only the regimen and intent change.
        resource.setdefault("bodySite", [body_site])
        resource.setdefault("category", [{"coding": [RADIOTHERAPY_CATEGORY]}])
        resource.setdefault("code", {"coding": [RADIOTHERAPY_COURSE]})
        return resource
    resource["category"] = [{"coding": [RADIOTHERAPY_CATEGORY]}]
    code: dict[str, Any] = {"coding": [RADIOTHERAPY_COURSE]}
    if suggestion.stereotactic:
        code["coding"].append(STEREOTACTIC_CONCEPT)
    resource["code"] = code
    resource["bodySite"] = [body_site]
    return resource


def medication_request(medication: Mapping[str, Any], language: str, patient_id: str) -> dict[str, Any]:
    """A draft prescription proposal; the dose text is labelled an example in the wording."""
    return {
        "resourceType": "MedicationRequest",
        "id": str(uuid.uuid4()),
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {
            "coding": [dict(coding) for coding in medication["coding"]],
            "text": medication[language]["name"],
        },
        "subject": {"reference": f"Patient/{patient_id}"},
        "dosageInstruction": [{"text": medication[language]["dosage"]}],
    }
