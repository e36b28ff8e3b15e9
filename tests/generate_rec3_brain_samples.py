"""Writes the sample requests of recommendation 3 (brain metastases) to `fhir_samples/`.

Run `python -m tests.generate_rec3_brain_samples` from the repository root. The committed JSON is what
integration testers use; this script only keeps the twelve stories consistent. Dates are relative to
2026-11-27, the date the samples are evaluated on; ids are fixed so the files do not change between runs.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "fhir_samples"
TODAY = date(2026, 11, 27)

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SKS_D = "urn:oid:1.2.208.176.2.4.12"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
ATC = "http://www.whocc.no/atc"
HGNC = "http://www.genenames.org"
HGVS = "http://varnomen.hgvs.org"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CODEX = "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
LESION_COUNT = "urn:palliative-rt-cds:fhir:StructureDefinition:metastasis-lesion-count"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

FHIR_BASE = "https://fhir.hospital.example.dk/R4"
"""The EHR's FHIR base the prefetch search results name their entries under."""

Resource = dict[str, Any]


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def cc(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


class Chart:
    """One patient's resources, with ids that are stable and readable in the sample files."""

    def __init__(self, patient_id: str, gender: str, birth_date: str) -> None:
        self.patient_id = patient_id
        self.resources: list[Resource] = [{
            "resourceType": "Patient", "id": patient_id,
            "meta": {"profile": ["http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient"]},
            "gender": gender, "birthDate": birth_date,
        }]

    @property
    def subject(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.patient_id}"}

    def add(self, resource: Resource) -> dict[str, str]:
        resource.setdefault("subject", self.subject)
        self.resources.append(resource)
        return {"reference": f"{resource['resourceType']}/{resource['id']}"}

    def condition(self, id: str, code: dict[str, Any], recorded: int, *, profile: str | None = None,
                  category: str = "problem-list-item", **extra: Any) -> dict[str, str]:
        resource: Resource = {
            "resourceType": "Condition", "id": id,
            "clinicalStatus": cc(CLINICAL_STATUS, "active", "Active"),
            "verificationStatus": cc(VERIFICATION_STATUS, "confirmed", "Confirmed"),
            "category": [cc(CONDITION_CATEGORY, category, category.replace("-", " ").title())],
            "code": code, "subject": self.subject,
            "onsetDateTime": day(recorded), "recordedDate": day(recorded),
        }
        if profile:
            resource["meta"] = {"profile": [MCODE + profile]}
        resource.update(extra)
        return self.add(resource)

    def lung_cancer(self, id: str, code: dict[str, Any], morphology: tuple[str, str] | None,
                    recorded: int) -> dict[str, str]:
        extension = ([{"url": MCODE + "mcode-histology-morphology-behavior",
                       "valueCodeableConcept": cc(ICDO3, *morphology)}] if morphology else [])
        return self.condition(id, code, recorded, profile="mcode-primary-cancer-condition",
                              bodySite=[cc(SNOMED, "39607008", "Lung structure")],
                              **({"extension": extension} if extension else {}))

    def brain_metastases(self, id: str, code: dict[str, Any], recorded: int, lesions: int | None,
                         primary: dict[str, str]) -> dict[str, str]:
        extension: list[dict[str, Any]] = [
            {"url": "http://hl7.org/fhir/StructureDefinition/condition-related", "valueReference": primary}]
        if lesions is not None:
            extension.append({"url": LESION_COUNT, "valueInteger": lesions})
        return self.condition(id, code, recorded, profile="mcode-secondary-cancer-condition",
                              extension=extension, bodySite=[cc(SNOMED, "12738006", "Brain structure")])

    def observation(self, id: str, code: dict[str, Any], effective: int, category: str,
                    profile: str | None = None, **value: Any) -> dict[str, str]:
        resource: Resource = {
            "resourceType": "Observation", "id": id, "status": "final",
            "category": [cc(OBSERVATION_CATEGORY, category, category.title())],
            "code": code, "subject": self.subject, "effectiveDateTime": day(effective), **value,
        }
        if profile:
            resource["meta"] = {"profile": [MCODE + profile]}
        return self.add(resource)

    def ecog(self, id: str, score: int, effective: int) -> dict[str, str]:
        return self.observation(id, cc(LOINC, "89247-1", "ECOG Performance Status score"), effective,
                                "survey", profile="mcode-ecog-performance-status", valueInteger=score)

    def survival(self, id: str, value: int, unit: str, effective: int) -> dict[str, str]:
        return self.observation(id, cc(LOINC, "75328-5", "Prognosis"), effective, "exam",
                                valueQuantity={"value": value, "unit": unit, "system": UCUM, "code": unit})

    def driver(self, id: str, gene: str, hgnc: str, protein_change: str | None,
               effective: int) -> dict[str, str]:
        components: list[dict[str, Any]] = [
            {"code": cc(LOINC, "48018-6", "Gene studied [ID]"), "valueCodeableConcept": cc(HGNC, hgnc, gene)}]
        if protein_change:
            components.append({"code": cc(LOINC, "48005-3", "Amino acid change (pHGVS)"),
                               "valueCodeableConcept": {"coding": [{"system": HGVS, "code": protein_change}],
                                                        "text": protein_change}})
        return self.observation(id, cc(LOINC, "69548-6", "Genetic variant assessment"), effective,
                                "laboratory", profile="mcode-genomic-variant",
                                valueCodeableConcept=cc(LOINC, "LA9633-4", "Present"), component=components)

    def medication(self, id: str, atc: str, name: str, authored: int, *, status: str = "active",
                   intent: str = "order", reason: list[dict[str, str]] | None = None,
                   dosage: str | None = None) -> dict[str, str]:
        resource: Resource = {
            "resourceType": "MedicationRequest", "id": id, "status": status, "intent": intent,
            "medicationCodeableConcept": cc(ATC, atc, name), "subject": self.subject,
            "authoredOn": day(authored),
        }
        if reason:
            resource["reasonReference"] = reason
        if dosage:
            resource["dosageInstruction"] = [{"text": dosage}]
        return self.add(resource)

    def rt_course(self, id: str, dose_gy: float, fractions: int, ended: int, *, intent: tuple[str, str],
                  qualifier: tuple[str, str], technique: tuple[str, str]) -> dict[str, str]:
        end = TODAY - timedelta(days=ended)
        resource: Resource = {
            "resourceType": "Procedure", "id": id,
            "meta": {"profile": [CODEX + "codexrt-radiotherapy-course-summary",
                                 MCODE + "mcode-radiotherapy-course-summary"]},
            "extension": [
                {"url": MCODE + "mcode-procedure-intent", "valueCodeableConcept": cc(SNOMED, *intent)},
                _modality_and_technique(technique),
                {"url": MCODE + "mcode-radiotherapy-sessions", "valueUnsignedInt": fractions},
                {"url": MCODE + "mcode-radiotherapy-dose-delivered-to-volume", "extension": [
                    {"url": "volume", "valueReference": {"display": "Hjerne"}},
                    {"url": "totalDoseDelivered", "valueQuantity": _cgy(dose_gy)},
                    {"url": "fractionsDelivered", "valueUnsignedInt": fractions},
                ]},
            ],
            "status": "completed",
            "category": cc(SNOMED, "1287742003", "Radiotherapy (procedure)"),
            "code": cc(SNOMED, "1217123003", "Radiotherapy course of treatment (regime/therapy)"),
            "performedPeriod": {"start": (end - timedelta(days=fractions + 3)).isoformat(),
                                "end": end.isoformat()},
            "bodySite": [_brain_site(qualifier)],
        }
        return self.add(resource)


def _cgy(dose_gy: float) -> dict[str, Any]:
    return {"value": round(dose_gy * 100), "unit": "cGy", "system": UCUM, "code": "cGy"}


def _brain_site(qualifier: tuple[str, str] | None) -> dict[str, Any]:
    site = cc(SNOMED, "12738006", "Brain structure")
    if qualifier:
        site["extension"] = [{"url": MCODE + "mcode-body-location-qualifier",
                              "valueCodeableConcept": cc(SNOMED, *qualifier)}]
    return site


def _modality_and_technique(technique: tuple[str, str]) -> dict[str, Any]:
    return {"url": MCODE + "mcode-radiotherapy-modality-and-technique", "extension": [
        {"url": MCODE + "mcode-radiotherapy-modality",
         "valueCodeableConcept": cc(SNOMED, "1156506007", "External beam radiation therapy using photons")},
        {"url": MCODE + "mcode-radiotherapy-technique", "valueCodeableConcept": cc(SNOMED, *technique)},
    ]}


PALLIATIVE = ("363676003", "Palliative - procedure intent")
PREVENTIVE = ("129428001", "Preventive - procedure intent")
ENTIRE = ("255503000", "Entire")
PARTIAL = ("255609007", "Partial")
VMAT = ("1156530009", "Volumetric modulated arc therapy")
THREE_D = ("1162782007", "Three dimensional external beam radiation therapy")
STEREOTACTIC = {"system": "urn:palliative-rt-cds:concept", "code": "stereotactic",
                "display": "Stereotactic radiotherapy"}


def brain_order(chart: Chart, id: str, dose_gy: float, fractions: int, *, qualifier: tuple[str, str],
                reason: list[dict[str, str]], stereotactic: bool = False) -> Resource:
    """A draft CodeX course prescription to the brain, as the EHR's order entry sends it."""
    code = cc(SNOMED, "1217123003", "Radiotherapy course of treatment (regime/therapy)")
    if stereotactic:
        code["coding"].append(STEREOTACTIC)
    return {
        "resourceType": "ServiceRequest", "id": id,
        "meta": {"profile": [CODEX + "codexrt-radiotherapy-course-prescription"]},
        "extension": [
            {"url": MCODE + "mcode-procedure-intent", "valueCodeableConcept": cc(SNOMED, *PALLIATIVE)},
            _modality_and_technique(VMAT if stereotactic else THREE_D),
            {"url": CODEX + "codexrt-radiotherapy-dose-prescribed-to-volume", "extension": [
                {"url": "volume", "valueReference": {"display": "Hjerne"}},
                {"url": "totalDose", "valueQuantity": _cgy(dose_gy)},
                {"url": "fractions", "valuePositiveInt": fractions},
            ]},
        ],
        "status": "draft", "intent": "original-order",
        "category": [cc(SNOMED, "1287742003", "Radiotherapy (procedure)")],
        "code": code, "subject": chart.subject, "authoredOn": TODAY.isoformat(),
        "requester": {"reference": "Practitioner/onk-overlaege-17"},
        "reasonReference": reason,
        "bodySite": [_brain_site(qualifier)],
    }


PREFETCH_KEYS = {
    "Condition": "conditions", "Observation": "observations", "Procedure": "procedures",
    "MedicationRequest": "medications", "MedicationStatement": "medicationStatements",
    "MedicationAdministration": "medicationAdministrations", "BodyStructure": "bodyStructures",
}


def request(hook: str, hook_instance: str, chart: Chart, orders: list[Resource] = ()) -> dict[str, Any]:
    prefetch: dict[str, Any] = {key: {"resourceType": "Bundle", "type": "searchset", "entry": []}
                                for key in PREFETCH_KEYS.values()}
    for resource in chart.resources:
        if resource["resourceType"] == "Patient":
            prefetch["patient"] = resource
        else:
            full_url = f"{FHIR_BASE}/{resource['resourceType']}/{resource['id']}"
            prefetch[PREFETCH_KEYS[resource["resourceType"]]]["entry"].append(
                {"fullUrl": full_url, "resource": resource})
    for bundle in prefetch.values():
        if bundle.get("resourceType") == "Bundle":
            bundle["total"] = len(bundle["entry"])
    context: dict[str, Any] = {"userId": "Practitioner/onk-overlaege-17", "patientId": chart.patient_id}
    if hook != "patient-view":
        context["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]}
        if hook == "order-select":
            context["selections"] = [f"ServiceRequest/{o['id']}" for o in orders]
    return {"hookInstance": hook_instance, "hook": hook, "context": context, "prefetch": prefetch}


# --- the stories ------------------------------------------------------------------------------

NSCLC = cc(SNOMED, "254637007", "Non-small cell lung cancer")
SCLC = cc(SNOMED, "254632001", "Small cell carcinoma of lung")
ADENOCARCINOMA = ("8140/3", "Adenocarcinoma, NOS")
SKS_LUNG_UPPER_LOBE = cc(SKS_D, "DC341", "Kræft i lungens øverste lap")
SKS_BRAIN_METASTASES = cc(SKS_D, "DC793", "Fjernmetastase i hjernen eller hjernehinder")
SNOMED_BRAIN_METASTASES = cc(SNOMED, "94225005", "Secondary malignant neoplasm of brain")
ICD_BRAIN_METASTASES = cc(ICD10, "C79.3", "Secondary malignant neoplasm of brain and cerebral meninges")
HEADACHE = cc(SNOMED, "25064002", "Headache")


def srs_or_wbrt() -> dict[str, Any]:
    """Adenocarcinoma (SKS DC341 + ICD-O-3 8140/3), 6 brain metastases with headache, dexamethasone given
    for them, ECOG 1: SRS or WBRT; the steroid card is not shown (a corticosteroid is active)."""
    chart = Chart("a7f3c9e2-5d41-4b8e-9c06-2f1e8d7b3a15", "female", "1958-04-09")
    primary = chart.lung_cancer("lc-1", SKS_LUNG_UPPER_LOBE, ADENOCARCINOMA, recorded=240)
    brain = chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=9, lesions=6, primary=primary)
    chart.condition("headache-1", HEADACHE, recorded=12)
    chart.medication("dexa-1", "H02AB02", "dexamethasone", authored=8, reason=[brain],
                     dosage="4 mg x 2 dagligt")
    chart.ecog("ecog-1", 1, effective=8)
    chart.survival("surv-1", 8, "mo", effective=8)
    return request("patient-view", "5f0c2b8e-3a91-4d6f-8e27-b1c4a9d0e312", chart)


def few_nsclc_surgery() -> dict[str, Any]:
    """Squamous NSCLC, one brain metastasis (ICD-10 C79.3, 1 lesion), ECOG 0."""
    chart = Chart("c19b7e54-8f02-4a3d-b6e1-7d95a0c2f849", "male", "1961-11-23")
    primary = chart.lung_cancer("lc-1", cc(SNOMED, "723301009", "Squamous non-small cell lung cancer"),
                                ("8070/3", "Squamous cell carcinoma, NOS"), recorded=30)
    chart.brain_metastases("bm-1", ICD_BRAIN_METASTASES, recorded=14, lesions=1, primary=primary)
    chart.ecog("ecog-1", 0, effective=6)
    return request("patient-view", "8b2e4d17-6c3a-4f95-a0d8-e7c1b5f29a40", chart)


def postoperative_rt() -> dict[str, Any]:
    """NSCLC; a brain metastasis resected 3 weeks ago (surgical Procedure on the brain for the metastasis),
    no radiotherapy since."""
    chart = Chart("e4d82a1f-0b6c-47e9-93a5-c8f1d26b7e03", "female", "1966-02-17")
    primary = chart.lung_cancer("lc-1", NSCLC, ADENOCARCINOMA, recorded=60)
    brain = chart.brain_metastases("bm-1", SNOMED_BRAIN_METASTASES, recorded=40, lesions=1, primary=primary)
    chart.ecog("ecog-1", 1, effective=5)
    chart.add({
        "resourceType": "Procedure", "id": "craniotomy-1", "status": "completed",
        "category": cc(SNOMED, "387713003", "Surgical procedure"),
        "code": {"text": "Kraniotomi med resektion af cerebral metastase, venstre frontallap"},
        "performedDateTime": day(21), "reasonReference": [brain],
        "bodySite": [cc(SNOMED, "12738006", "Brain structure")],
    })
    return request("patient-view", "2c9a6f31-d4e8-4b07-8f5c-a3e09d1b7c64", chart)


def asymptomatic_systemic_first() -> dict[str, Any]:
    """EGFR exon 19 deletion, osimertinib ongoing, asymptomatic brain metastases of unknown number; SRS
    27 Gy/3F drafted and signed: warning."""
    chart = Chart("9d1f5b83-27ae-4c60-b4d9-01e6a8c3f752", "female", "1954-07-30")
    primary = chart.lung_cancer("lc-1", NSCLC, ADENOCARCINOMA, recorded=120)
    brain = chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=7, lesions=None, primary=primary)
    chart.driver("egfr-1", "EGFR", "HGNC:3236", "p.E746_A750del", effective=110)
    chart.medication("osimertinib-1", "L01EB04", "osimertinib", authored=100, dosage="80 mg dagligt")
    chart.ecog("ecog-1", 1, effective=7)
    order = brain_order(chart, "srs-draft-1", 27, 3, qualifier=PARTIAL, reason=[brain], stereotactic=True)
    return request("order-sign", "c6e1a9f4-58b2-4d73-9a0e-4f7d2c1b8e95", chart, [order])


def oncogene_targeted_first() -> dict[str, Any]:
    """ALK-rearranged adenocarcinoma with 3 brain metastases; alectinib planned."""
    chart = Chart("41b0e7c6-a953-4f28-8d1e-6c2f9b05a3d7", "male", "1972-09-05")
    alk_nsclc = cc(SNOMED, "830151004", "ALK fusion positive non-small cell lung cancer")
    primary = chart.lung_cancer("lc-1", alk_nsclc, ADENOCARCINOMA, recorded=20)
    chart.brain_metastases("bm-1", SNOMED_BRAIN_METASTASES, recorded=18, lesions=3, primary=primary)
    chart.driver("alk-1", "ALK", "HGNC:427", None, effective=15)
    chart.medication("alectinib-1", "L01ED03", "alectinib", authored=2, status="draft", intent="plan")
    chart.ecog("ecog-1", 1, effective=3)
    return request("patient-view", "7a3d0c58-e1f4-4b92-86a7-d5b8e2c90f16", chart)


def wbrt_omit_poor_ps() -> dict[str, Any]:
    """NSCLC with 12 brain metastases, ECOG 3, no systemic therapy; WBRT 20 Gy/5F drafted."""
    chart = Chart("d85c2f0a-6b17-4e39-a4c8-93e1f07b5d26", "male", "1947-12-01")
    primary = chart.lung_cancer("lc-1", SKS_LUNG_UPPER_LOBE, ("8046/3", "Non-small cell carcinoma"),
                                recorded=300)
    brain = chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=5, lesions=12, primary=primary)
    chart.ecog("ecog-1", 3, effective=4)
    chart.survival("surv-1", 2, "mo", effective=4)
    order = brain_order(chart, "wbrt-draft-1", 20, 5, qualifier=ENTIRE, reason=[brain])
    return request("order-select", "0e4b8d2a-73c5-4f16-9b80-c2a7e5d13f98", chart, [order])


def wbrt_dose_too_low() -> dict[str, Any]:
    """NSCLC, multiple brain metastases, ECOG 1; WBRT 12 Gy/2F drafted (BED10 19.2)."""
    chart = Chart("3f6e9a21-c0d4-4875-b2e9-8a1d7c4f0b63", "female", "1963-05-21")
    primary = chart.lung_cancer("lc-1", NSCLC, ADENOCARCINOMA, recorded=200)
    brain = chart.brain_metastases("bm-1", ICD_BRAIN_METASTASES, recorded=6, lesions=9, primary=primary)
    chart.ecog("ecog-1", 1, effective=6)
    chart.medication("carboplatin-1", "L01XA02", "carboplatin", authored=3, status="draft", intent="plan")
    order = brain_order(chart, "wbrt-draft-1", 12, 2, qualifier=ENTIRE, reason=[brain])
    return request("order-sign", "b3f7c1e9-2d08-4a65-8e4b-91d6a0f2c7e5", chart, [order])


def sclc_systemic_first() -> dict[str, Any]:
    """Newly diagnosed SCLC with brain metastases (SKS DC793) at diagnosis."""
    chart = Chart("6b2d8f47-e93a-4c01-a5f6-d7c0e14b9a82", "female", "1955-08-14")
    primary = chart.lung_cancer("lc-1", SCLC, ("8041/3", "Small cell carcinoma, NOS"), recorded=10)
    chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=10, lesions=4, primary=primary)
    chart.ecog("ecog-1", 1, effective=9)
    return request("patient-view", "e9a5c3b1-7f20-4d86-b4e3-0c8f2a6d159b", chart)


def sclc_after_pci() -> dict[str, Any]:
    """SCLC; PCI 25 Gy/10F ten months ago; now multiple brain metastases, survival 5 months; WBRT drafted."""
    chart = Chart("f0c7a3e8-1b95-4d2c-8e60-a4d9b3f1c725", "male", "1959-01-28")
    primary = chart.lung_cancer("lc-1", SCLC, ("8041/3", "Small cell carcinoma, NOS"), recorded=420)
    brain = chart.brain_metastases("bm-1", SNOMED_BRAIN_METASTASES, recorded=4, lesions=None, primary=primary)
    chart.condition("headache-1", HEADACHE, recorded=6)
    chart.medication("prednisolone-1", "H02AB06", "prednisolone", authored=4, reason=[brain],
                     dosage="50 mg dagligt")
    chart.rt_course("pci-1", 25, 10, ended=300, intent=PREVENTIVE, qualifier=ENTIRE, technique=THREE_D)
    chart.ecog("ecog-1", 1, effective=4)
    chart.survival("surv-1", 5, "mo", effective=4)
    order = brain_order(chart, "wbrt-draft-1", 20, 5, qualifier=ENTIRE, reason=[brain])
    return request("order-sign", "14d8b6f2-a07c-4e59-9d31-e6b2c8a0f473", chart, [order])


def sclc_wbrt_survival_short() -> dict[str, Any]:
    """SCLC with multiple brain metastases, expected survival 6 weeks; WBRT 30 Gy/10F drafted."""
    chart = Chart("58e1b9d3-4c62-4a07-bf95-2d7a0e6c81f4", "female", "1950-10-03")
    primary = chart.lung_cancer("lc-1", SCLC, None, recorded=380)
    brain = chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=3, lesions=None, primary=primary)
    chart.ecog("ecog-1", 2, effective=3)
    chart.survival("surv-1", 6, "wk", effective=3)
    chart.medication("carboplatin-1", "L01XA02", "carboplatin", authored=2, status="draft", intent="plan")
    order = brain_order(chart, "wbrt-draft-1", 30, 10, qualifier=ENTIRE, reason=[brain])
    return request("order-sign", "a2c6e0f8-9b13-4d75-8a4e-c1f7b3d9e026", chart, [order])


def steroids() -> dict[str, Any]:
    """NSCLC; focal seizure (SKS DR568) from brain metastases, no corticosteroid."""
    chart = Chart("2a9f4c7e-b816-4d30-95e2-7c3b0d8a1f64", "male", "1968-03-11")
    primary = chart.lung_cancer("lc-1", SKS_LUNG_UPPER_LOBE, ADENOCARCINOMA, recorded=90)
    chart.brain_metastases("bm-1", SKS_BRAIN_METASTASES, recorded=2, lesions=5, primary=primary)
    chart.condition("seizure-1", cc(SKS_D, "DR568", "Andre og uspecificerede krampetilfælde"), recorded=2,
                    category="encounter-diagnosis")
    chart.ecog("ecog-1", 2, effective=2)
    return request("patient-view", "d7b3e1a9-05c4-4f82-b6d0-e8a2c9f4173b", chart)


def steroids_before_wbrt() -> dict[str, Any]:
    """NSCLC, 8 asymptomatic brain metastases, ECOG 1, no steroid; WBRT 30 Gy/10F selected."""
    chart = Chart("87c0f2d5-3e9b-4a16-a8d7-5b1e6c4f902a", "female", "1960-06-19")
    primary = chart.lung_cancer("lc-1", NSCLC, ADENOCARCINOMA, recorded=150)
    brain = chart.brain_metastases("bm-1", SNOMED_BRAIN_METASTASES, recorded=8, lesions=8, primary=primary)
    chart.ecog("ecog-1", 1, effective=8)
    chart.survival("surv-1", 7, "mo", effective=8)
    order = brain_order(chart, "wbrt-draft-1", 30, 10, qualifier=ENTIRE, reason=[brain])
    return request("order-select", "39f5a8c2-d6e0-4b71-9c43-a0e7b2d5f618", chart, [order])


STORIES = {
    "brain-srs-or-wbrt": (srs_or_wbrt, ["brain-srs-or-wbrt"],
                          ["brain-steroids", "brain-few-nsclc-surgery", "brain-sclc-systemic-first",
                           "brain-asymptomatic-systemic-first"]),
    "brain-few-nsclc-surgery": (few_nsclc_surgery, ["brain-few-nsclc-surgery"],
                                ["brain-wbrt-omit-poor-ps", "brain-sclc-systemic-first",
                                 "brain-srs-or-wbrt"]),
    "brain-postoperative-rt": (postoperative_rt, ["brain-postoperative-rt"],
                               ["brain-sclc-systemic-first", "brain-steroids"]),
    "brain-asymptomatic-systemic-first": (asymptomatic_systemic_first, ["brain-asymptomatic-systemic-first"],
                                          ["brain-steroids", "brain-srs-or-wbrt", "brain-wbrt-dose-too-low",
                                           "brain-steroids-before-wbrt"]),
    "brain-oncogene-driven-targeted-first": (oncogene_targeted_first,
                                             ["brain-oncogene-driven-targeted-first",
                                              "brain-asymptomatic-systemic-first"],
                                             ["brain-sclc-systemic-first", "brain-srs-or-wbrt"]),
    "brain-wbrt-omit-poor-ps": (wbrt_omit_poor_ps, ["brain-wbrt-omit-poor-ps"],
                                ["brain-wbrt-dose-too-low", "brain-few-nsclc-surgery"]),
    "brain-wbrt-dose-too-low": (wbrt_dose_too_low, ["brain-wbrt-dose-too-low"],
                                ["brain-wbrt-omit-poor-ps", "brain-sclc-after-pci"]),
    "brain-sclc-systemic-first": (sclc_systemic_first, ["brain-sclc-systemic-first"],
                                  ["brain-srs-or-wbrt", "brain-few-nsclc-surgery",
                                   "brain-oncogene-driven-targeted-first"]),
    "brain-sclc-after-pci": (sclc_after_pci, ["brain-sclc-after-pci"],
                             ["brain-sclc-wbrt-survival-short", "brain-steroids", "brain-wbrt-dose-too-low"]),
    "brain-sclc-wbrt-survival-short": (sclc_wbrt_survival_short, ["brain-sclc-wbrt-survival-short"],
                                       ["brain-sclc-after-pci", "brain-wbrt-omit-poor-ps"]),
    "brain-steroids": (steroids, ["brain-steroids", "brain-srs-or-wbrt"],
                       ["brain-steroids-before-wbrt", "brain-sclc-systemic-first"]),
    "brain-steroids-before-wbrt": (steroids_before_wbrt, ["brain-steroids-before-wbrt"],
                                   ["brain-steroids", "brain-wbrt-dose-too-low", "brain-wbrt-omit-poor-ps"]),
}


def main() -> None:
    for name, (story, must, must_not) in STORIES.items():
        (SAMPLES / f"{name}.json").write_text(json.dumps(story(), indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        (SAMPLES / f"{name}.expected.json").write_text(
            json.dumps({"must": must, "must_not": must_not}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
