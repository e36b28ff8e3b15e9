"""Builders for the FHIR R4 resources and CDS Hooks requests the tests tell patient stories with.

Each builder returns plain JSON (dicts) the way an EHR sends it. Defaults are the common encoding;
keyword arguments switch to the other encodings the service must accept.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SKS = "urn:oid:1.2.208.176.2.4"
SKS_D = "urn:oid:1.2.208.176.2.4.12"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
CONCEPT = "urn:palliative-rt-cds:concept"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CODEX = "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
LESION_COUNT_URL = "urn:palliative-rt-cds:fhir:StructureDefinition:metastasis-lesion-count"

TODAY = date(2026, 11, 27)
"""The date the test stories happen on; the app under test is given this as "now"."""

PATIENT_ID = "pat-1"
_ids = itertools.count(1)


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [coding(system, code, display)]}


def ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def condition(system: str, code: str, *, recorded: str | None = None, status: str = "active",
              verification: str | None = "confirmed", body_site: tuple[str, str] | None = None,
              abated: str | None = None, extension: list[dict] | None = None,
              patient_id: str = PATIENT_ID, id: str | None = None, **extra: Any) -> dict[str, Any]:
    """A Condition coded `system|code`; `body_site` is (system, code)."""
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": id or _id("cond"),
        "clinicalStatus": concept(CLINICAL_STATUS, status),
        "code": concept(system, code),
        "subject": {"reference": f"Patient/{patient_id}"},
        "recordedDate": recorded or days_ago(30),
    }
    if verification:
        resource["verificationStatus"] = concept(VERIFICATION_STATUS, verification)
    if body_site:
        resource["bodySite"] = [concept(*body_site)]
    if abated:
        resource["abatementDateTime"] = abated
    if extension:
        resource["extension"] = extension
    resource.update(extra)
    return resource


def lung_cancer(histology: str = "nsclc", **kwargs: Any) -> dict[str, Any]:
    """Primary lung cancer: "nsclc" (SNOMED 254637007), "sclc" (254632001) or "unknown" (ICD-10 C34.9)."""
    if histology == "nsclc":
        return condition(SNOMED, "254637007", **kwargs)
    if histology == "sclc":
        return condition(SNOMED, "254632001", **kwargs)
    return condition(ICD10, "C34.9", **kwargs)


METASTASIS_CODES = {
    "brain": (SNOMED, "94225005"),
    "bone": (SNOMED, "94222008"),
    "liver": (SNOMED, "94381002"),
    "adrenal": (SNOMED, "94161006"),
    "skin": (ICD10, "C79.2"),
    "soft-tissue": (ICD10, "C79.8"),
    "lung": (ICD10, "C78.0"),
}


def metastasis(organ: str, *, lesions: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """A secondary malignant neoplasm Condition of `organ` (see METASTASIS_CODES)."""
    extension = list(kwargs.pop("extension", None) or [])
    if lesions is not None:
        extension.append({"url": LESION_COUNT_URL, "valueInteger": lesions})
    system, code = METASTASIS_CODES[organ]
    return condition(system, code, extension=extension or None, **kwargs)


def stated(concept_code: str, **kwargs: Any) -> dict[str, Any]:
    """A Condition coded with the service's own concepts (oligometastatic-disease, not-curable, ...)."""
    return condition(CONCEPT, concept_code, **kwargs)


SYMPTOM_CODES = {
    "hemoptysis": (SNOMED, "66857006"),
    "cough": (SNOMED, "49727002"),
    "dyspnea": (SNOMED, "267036007"),
    "thoracic-pain": (SNOMED, "29857009"),
    "pain": (SNOMED, "22253000"),
    "headache": (SNOMED, "25064002"),
    "seizure": (SNOMED, "91175000"),
    "svc-syndrome": (SNOMED, "63363004"),
    "mscc": (SNOMED, "71286001"),
    "pathological-fracture": (SNOMED, "268029009"),
}


def symptom(kind: str, **kwargs: Any) -> dict[str, Any]:
    """A problem-list Condition for a symptom or complication (see SYMPTOM_CODES)."""
    return condition(*SYMPTOM_CODES[kind], **kwargs)


def observation(code: tuple[str, str], *, effective: str | None = None, status: str = "final",
                patient_id: str = PATIENT_ID, id: str | None = None, **value: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": id or _id("obs"),
        "status": status,
        "code": concept(*code),
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": effective or days_ago(7),
    }
    resource.update(value)
    return resource


def ecog(score: int, **kwargs: Any) -> dict[str, Any]:
    return observation((LOINC, "89247-1"), valueInteger=score, **kwargs)


def karnofsky(score: int, **kwargs: Any) -> dict[str, Any]:
    return observation((LOINC, "89243-0"), valueInteger=score, **kwargs)


def survival_estimate(value: float, unit: str = "mo", **kwargs: Any) -> dict[str, Any]:
    return observation((LOINC, "75328-5"),
                       valueQuantity={"value": value, "unit": unit, "system": UCUM, "code": unit}, **kwargs)


def m_stage(value_code: str = "1229903009", **kwargs: Any) -> dict[str, Any]:
    """A TNM distant-metastasis category Observation (default cM1)."""
    return observation((SNOMED, "399387003"), valueCodeableConcept=concept(SNOMED, value_code), **kwargs)


HGNC = {"EGFR": "HGNC:3236", "ALK": "HGNC:427", "ROS1": "HGNC:10261", "BRAF": "HGNC:1097",
        "KRAS": "HGNC:6407", "RET": "HGNC:9967", "MET": "HGNC:7029"}


def driver(gene: str, **kwargs: Any) -> dict[str, Any]:
    """An mCODE genomic variant Observation: gene studied, variant present."""
    return observation(
        (LOINC, "69548-6"),
        valueCodeableConcept=concept(LOINC, "LA9633-4", "Present"),
        component=[{"code": concept(LOINC, "48018-6"),
                    "valueCodeableConcept": concept("http://www.genenames.org", HGNC[gene], gene)}],
        **kwargs,
    )


MEDICATION_ATC = {
    "osimertinib": "L01EB04",
    "alectinib": "L01ED03",
    "pembrolizumab": "L01FF02",
    "carboplatin": "L01XA02",
    "prednisolone": "H02AB06",
    "dexamethasone": "H02AB02",
}


def medication_request(name: str, *, status: str = "active", intent: str = "order",
                       authored: str | None = None, reason: list[dict] | None = None,
                       patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": id or _id("medreq"),
        "status": status,
        "intent": intent,
        "medicationCodeableConcept": concept(ATC, MEDICATION_ATC[name], name),
        "subject": {"reference": f"Patient/{patient_id}"},
        "authoredOn": authored or days_ago(14),
    }
    if reason:
        resource["reasonReference"] = reason
    return resource


SITE_CODES = {
    "thorax": "51185008",
    "lung": "39607008",
    "thoracic-spine": "122495006",
    "cervical-spine": "122494005",
    "lumbar-spine": "122496007",
    "brain": "12738006",
    "bone": "119186007",
    "femur": "71341001",
    "humerus": "85050009",
    "pelvis": "118645006",
    "rib": "113197003",
    "skin": "39937001",
    "soft-tissue": "87784001",
    "liver": "10200004",
    "spinal-cord": "2748008",
}

INTENT_CODES = {"palliative": "363676003", "curative": "373808002", "preventive": "129428001"}
WHOLE = "255503000"
PARTIAL = "255609007"


def _body_site(site: str, qualifier: str | None) -> dict[str, Any]:
    body_site = concept(SNOMED, SITE_CODES[site])
    if qualifier:
        body_site["extension"] = [{"url": MCODE + "mcode-body-location-qualifier",
                                   "valueCodeableConcept": concept(SNOMED, qualifier)}]
    return body_site


def _intent_extension(intent: str) -> dict[str, Any]:
    return {"url": MCODE + "mcode-procedure-intent",
            "valueCodeableConcept": concept(SNOMED, INTENT_CODES[intent])}


def rt_course(site: str, dose_gy: float, fractions: int, *, intent: str | None = "palliative",
              ended: str | None = None, status: str = "completed", qualifier: str | None = None,
              no_response: bool = False, reason: list[dict] | None = None,
              patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    """A CodeX RadiotherapyCourseSummary Procedure (dose delivered in cGy)."""
    end = ended or days_ago(200)
    extension: list[dict[str, Any]] = [
        {"url": MCODE + "mcode-radiotherapy-dose-delivered-to-volume", "extension": [
            {"url": "volume", "valueReference": {"display": site}},
            {"url": "totalDoseDelivered",
             "valueQuantity": {"value": dose_gy * 100, "unit": "cGy", "system": UCUM, "code": "cGy"}},
            {"url": "fractionsDelivered", "valueUnsignedInt": fractions},
        ]},
    ]
    if intent:
        extension.append(_intent_extension(intent))
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": id or _id("rtcourse"),
        "meta": {"profile": [CODEX + "codexrt-radiotherapy-course-summary"]},
        "extension": extension,
        "status": status,
        "category": concept(SNOMED, "1287742003"),
        "code": concept(SNOMED, "1217123003"),
        "subject": {"reference": f"Patient/{patient_id}"},
        "performedPeriod": {"start": (date.fromisoformat(end[:10]) - timedelta(days=fractions)).isoformat(),
                            "end": end},
        "bodySite": [_body_site(site, qualifier)],
    }
    if no_response:
        resource["outcome"] = concept(SNOMED, "266721009", "No response to treatment")
    if reason:
        resource["reasonReference"] = reason
    return resource


def rt_order(site: str, dose_gy: float | None, fractions: int | None, *, intent: str | None = "palliative",
             qualifier: str | None = None, reason: list[dict] | None = None,
             reason_codes: list[tuple[str, str]] | None = None, stereotactic: bool = False,
             patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    """A draft CodeX RadiotherapyCoursePrescription ServiceRequest (dose prescribed in cGy)."""
    extension: list[dict[str, Any]] = []
    if dose_gy is not None or fractions is not None:
        dose: list[dict[str, Any]] = [{"url": "volume", "valueReference": {"display": site}}]
        if dose_gy is not None:
            dose.append({"url": "totalDose", "valueQuantity": {"value": dose_gy * 100, "unit": "cGy",
                                                              "system": UCUM, "code": "cGy"}})
        if fractions is not None:
            dose.append({"url": "fractions", "valuePositiveInt": fractions})
        extension.append({"url": CODEX + "codexrt-radiotherapy-dose-prescribed-to-volume", "extension": dose})
    if intent:
        extension.append(_intent_extension(intent))
    code = concept(SNOMED, "1217123003")
    if stereotactic:
        code["coding"].append(coding(CONCEPT, "stereotactic"))
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": id or _id("rtorder"),
        "meta": {"profile": [CODEX + "codexrt-radiotherapy-course-prescription"]},
        "extension": extension,
        "status": "draft",
        "intent": "original-order",
        "category": [concept(SNOMED, "1287742003")],
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
        "authoredOn": TODAY.isoformat(),
        "bodySite": [_body_site(site, qualifier)],
    }
    if reason:
        resource["reasonReference"] = reason
    if reason_codes:
        resource["reasonCode"] = [concept(system, code) for system, code in reason_codes]
    return resource


def bundle(resources: list[dict[str, Any]], *, type: str | None = "searchset") -> dict[str, Any]:
    result: dict[str, Any] = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    if type:
        result["type"] = type
    return result


PREFETCH_KEYS = {
    "Condition": "conditions",
    "Observation": "observations",
    "Procedure": "procedures",
    "MedicationRequest": "medications",
    "MedicationStatement": "medicationStatements",
    "MedicationAdministration": "medicationAdministrations",
    "BodyStructure": "bodyStructures",
}


def prefetch_for(resources: list[dict[str, Any]], patient_id: str = PATIENT_ID) -> dict[str, Any]:
    """Every prefetch key of the service filled, resources sorted into their keys."""
    prefetch: dict[str, Any] = {key: bundle([]) for key in PREFETCH_KEYS.values()}
    prefetch["patient"] = {"resourceType": "Patient", "id": patient_id}
    for resource in resources:
        prefetch[PREFETCH_KEYS[resource["resourceType"]]]["entry"].append({"resource": resource})
    return prefetch


def hook_request(hook: str, resources: list[dict[str, Any]], *, orders: list[dict[str, Any]] = (),
                 selections: list[str] | None = None, patient_id: str = PATIENT_ID) -> dict[str, Any]:
    """A CDS Hooks request for `hook` with prefetch filled from `resources`."""
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": patient_id}
    if hook != "patient-view":
        context["draftOrders"] = bundle(list(orders), type=None)
        if hook == "order-select":
            context["selections"] = selections if selections is not None else [
                f"{o['resourceType']}/{o['id']}" for o in orders]
    return {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
        "prefetch": prefetch_for(resources, patient_id),
    }


# --- reading answers ------------------------------------------------------------------------------

DOSE_PRESCRIBED = CODEX + "codexrt-radiotherapy-dose-prescribed-to-volume"


def cards_for(response: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    """The cards of `response` whose source.topic.code is `rule_id`."""
    return [card for card in response["cards"] if card["source"]["topic"]["code"] == rule_id]


def only_card(response: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The one card of `rule_id` in the response (fails, listing the response's rule ids, otherwise)."""
    cards = cards_for(response, rule_id)
    assert len(cards) == 1, [card["source"]["topic"]["code"] for card in response["cards"]]
    return cards[0]


def prescription(resource: dict[str, Any]) -> tuple[float, int]:
    """(totalDose in cGy, fractions) of a CodeX course prescription ServiceRequest."""
    dose = next(ext for ext in resource["extension"] if ext["url"] == DOSE_PRESCRIBED)
    parts = {part["url"]: part for part in dose["extension"]}
    return parts["totalDose"]["valueQuantity"]["value"], parts["fractions"]["valuePositiveInt"]


def suggested_regimens(card: dict[str, Any]) -> list[tuple[str, float, int]]:
    """(action type, totalDose cGy, fractions) of each regimen suggestion of `card`."""
    result = []
    for suggestion in card.get("suggestions") or []:
        for action in suggestion["actions"]:
            if action["resource"]["resourceType"] == "ServiceRequest":
                result.append((action["type"], *prescription(action["resource"])))
    return result


SITE_CODES.setdefault("adrenal", "23451007")


def surgery(text: str, *, performed: str | None = None, reason: list[dict] | None = None,
            body_site: tuple[str, str] | None = None, status: str = "completed",
            patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    """A completed surgical Procedure (category SNOMED 387713003), e.g. a decompression for MSCC."""
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": id or _id("surgery"),
        "status": status,
        "category": concept(SNOMED, "387713003", "Surgical procedure"),
        "code": {"text": text},
        "subject": {"reference": f"Patient/{patient_id}"},
        "performedDateTime": performed or days_ago(1),
    }
    if reason:
        resource["reasonReference"] = reason
    if body_site:
        resource["bodySite"] = [concept(*body_site)]
    return resource


# --- brain metastases ------------------------------------------------------------------------------

HGVS = "http://varnomen.hgvs.org"


def driver_variant(gene: str, protein_change: str, **kwargs: Any) -> dict[str, Any]:
    """An mCODE genomic variant Observation that also names the protein change (LOINC 48005-3 p.HGVS)."""
    resource = driver(gene, **kwargs)
    resource["component"].append({"code": concept(LOINC, "48005-3", "Amino acid change (pHGVS)"),
                                  "valueCodeableConcept": {"coding": [coding(HGVS, protein_change)],
                                                           "text": protein_change}})
    return resource


def brain_metastasectomy(*, performed: str | None = None, status: str = "completed",
                         patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    """A resection of a brain metastasis, coded with the service's concept (CONVENTIONS.md)."""
    return {
        "resourceType": "Procedure",
        "id": id or _id("metastasectomy"),
        "status": status,
        "code": concept(CONCEPT, "brain-metastasectomy", "Resection of brain metastasis"),
        "subject": {"reference": f"Patient/{patient_id}"},
        "performedDateTime": performed or days_ago(14),
    }


# --- other encodings (facts tests) ------------------------------------------------------------

def body_structure(site: str, *, qualifier: str | None = None, patient_id: str = PATIENT_ID,
                   id: str | None = None) -> dict[str, Any]:
    """A RadiotherapyVolume BodyStructure located at `site` (SITE_CODES), optionally whole/partial."""
    resource: dict[str, Any] = {
        "resourceType": "BodyStructure",
        "id": id or _id("volume"),
        "location": concept(SNOMED, SITE_CODES[site]),
        "patient": {"reference": f"Patient/{patient_id}"},
    }
    if qualifier:
        resource["locationQualifier"] = [concept(SNOMED, qualifier)]
    return resource


def procedure(system: str, code: str, *, status: str = "completed", performed: str | None = None,
              category: tuple[str, str] | None = None, body_site: tuple[str, str] | None = None,
              reason: list[dict] | None = None, patient_id: str = PATIENT_ID, id: str | None = None,
              **extra: Any) -> dict[str, Any]:
    """A plain Procedure coded `system|code`, performed on `performed` (default 30 days ago)."""
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": id or _id("proc"),
        "status": status,
        "code": concept(system, code),
        "subject": {"reference": f"Patient/{patient_id}"},
        "performedDateTime": performed or days_ago(30),
    }
    if category:
        resource["category"] = concept(*category)
    if body_site:
        resource["bodySite"] = [concept(*body_site)]
    if reason:
        resource["reasonReference"] = reason
    resource.update(extra)
    return resource


def medication_statement(name: str, *, status: str = "active", effective: str | None = None,
                         patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": id or _id("medstmt"),
        "status": status,
        "medicationCodeableConcept": concept(ATC, MEDICATION_ATC[name], name),
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": effective or days_ago(14),
    }


def medication_administration(name: str, *, status: str = "completed", effective: str | None = None,
                              patient_id: str = PATIENT_ID, id: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": id or _id("medadm"),
        "status": status,
        "medicationCodeableConcept": concept(ATC, MEDICATION_ATC[name], name),
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": effective or days_ago(7),
    }
