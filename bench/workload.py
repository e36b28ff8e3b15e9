"""Seeded order-sign requests for one patient with a long history, at any number of resources.

The patient: NSCLC, bone metastases with pain, ECOG 1, several earlier courses of palliative
radiotherapy, years of chemotherapy cycles and supportive medication, comorbidities and performance
status recorded at most visits. The draft order is 30 Gy/10F to a femur metastasis, so every request
yields a warning card with a suggested single-fraction regimen. Resources carry what an EHR sends with
them (narrative, meta, identifiers, displays, encounters), so bodies have a realistic size.

The same seed and size always give the same request.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.fhir import (
    ATC,
    ICD10,
    MEDICATION_ATC,
    PATIENT_ID,
    SITE_CODES,
    SKS_D,
    SNOMED,
    SYMPTOM_CODES,
    TODAY,
    body_structure,
    bundle,
    concept,
    condition,
    ecog,
    karnofsky,
    lung_cancer,
    m_stage,
    medication_request,
    medication_statement,
    metastasis,
    observation,
    prefetch_for,
    procedure,
    rt_course,
    rt_order,
    survival_estimate,
    symptom,
)

SIZES: dict[str, int] = {"small": 20, "typical": 200, "large": 2000}
"""Workload name -> number of resources in the prefetch."""
DEFAULT_SEED = 20261127
HOOK = "order-sign"
SERVICE_PATH = "/cds-services/palliative-rt-order-sign"
HOOK_INSTANCE = "00000000-0000-4000-8000-000000000000"
"""Fixed so that bodies are reproducible; the load script gives every request its own."""
DRAFT_ORDER_ID = "rt-order-femur"

Resource = dict[str, Any]

_COMORBIDITIES = [
    ("38341003", "Hypertensive disorder"), ("13645005", "Chronic obstructive lung disease"),
    ("44054006", "Diabetes mellitus type 2"), ("49436004", "Atrial fibrillation"),
    ("35489007", "Depressive disorder"), ("55822004", "Hyperlipidemia"),
    ("235595009", "Gastroesophageal reflux disease"), ("396275006", "Osteoarthritis"),
    ("271737000", "Anemia"), ("386033004", "Neuropathy"), ("84114007", "Heart failure"),
    ("709044004", "Chronic kidney disease"),
]
_SUPPORTIVE_MEDICATIONS = [
    ("A04AA01", "ondansetron"), ("N02BE01", "paracetamol"), ("N02AA01", "morphine"),
    ("N02AA05", "oxycodone"), ("A02BC01", "omeprazole"), ("A03FA01", "metoclopramide"),
    ("C03CA01", "furosemide"), ("C08CA01", "amlodipine"), ("A10BA02", "metformin"),
    ("C10AA01", "simvastatin"), ("B01AF01", "rivaroxaban"), ("N05BA04", "oxazepam"),
]
_CHEMOTHERAPY = ("carboplatin", "pembrolizumab")
_EARLIER_COURSES = [("thorax", 30, 10), ("thoracic-spine", 20, 5), ("pelvis", 8, 1), ("rib", 8, 1),
                    ("humerus", 20, 5), ("lumbar-spine", 20, 5)]
_SYMPTOM_OBSERVATIONS = ["pain", "dyspnea", "cough", "thoracic-pain", "headache"]
_PROCEDURES = [("77477000", "Computed tomography"), ("10847001", "Bronchoscopy"),
               ("116859006", "Transfusion of blood product"), ("241615005", "Magnetic resonance imaging"),
               ("82078001", "Collection of blood specimen")]


class _History:
    """One patient's record being written, with the EHR's decorations on every resource."""

    def __init__(self, seed: int, span_days: int) -> None:
        self.random = random.Random(seed)
        self.span_days = span_days
        self.resources: list[Resource] = []

    def date(self, newest: int = 0, oldest: int | None = None) -> str:
        """A date between `oldest` (default: the start of the history) and `newest` days ago."""
        days = self.random.randint(newest, max(newest, self.span_days if oldest is None else oldest))
        return (TODAY - timedelta(days=days)).isoformat()

    def add(self, resource: Resource) -> None:
        serial = len(self.resources) + 1
        resource["id"] = f"{resource['resourceType'].lower()}-{serial}"
        resource["meta"] = {**resource.get("meta", {}), "versionId": str(self.random.randint(1, 9)),
                            "lastUpdated": f"{self.date()}T{self.random.randint(7, 16):02d}:"
                                           f"{self.random.randint(0, 59):02d}:00+01:00",
                            "source": "urn:oid:1.2.208.176.1.2#sp-h-ehr"}
        resource["identifier"] = [{"system": "urn:oid:1.2.208.176.1.2.1.5",
                                   "value": f"{self.random.getrandbits(64):016x}"}]
        resource["text"] = {"status": "generated", "div": self._narrative(resource)}
        if resource["resourceType"] in ("Condition", "Observation", "Procedure"):
            resource["encounter"] = {"reference": f"Encounter/enc-{self.random.randint(1, 400)}"}
        if resource["resourceType"] in ("Condition", "Procedure", "MedicationRequest"):
            resource["note"] = [{"text": self.words(12)}]
        self.resources.append(resource)

    def _narrative(self, resource: Resource) -> str:
        rows = "".join(f"<tr><td>{key}</td><td>{self.words(4)}</td></tr>" for key in list(resource)[:6])
        return f'<div xmlns="http://www.w3.org/1999/xhtml"><table>{rows}</table><p>{self.words(22)}</p></div>'

    def words(self, count: int) -> str:
        return " ".join(self.random.choice(_WORDS) for _ in range(count))


_WORDS = ("patient", "vurderet", "ambulant", "smerter", "behandling", "kontrol", "stabil", "progression",
          "scanning", "bivirkninger", "kemoterapi", "dosis", "plan", "oplyst", "samtale", "pårørende",
          "forløb", "undersøgelse", "svar", "henvist", "klinisk", "status", "uændret", "fortsætter")


def _core(history: _History) -> None:
    """The facts every workload carries: they decide the cards."""
    start = history.span_days
    history.add(lung_cancer(recorded=history.date(start, start)))
    history.add(condition(SKS_D, "DC341", recorded=history.date(start, start)))
    femur = (SNOMED, SITE_CODES["femur"])
    history.add(metastasis("bone", recorded=history.date(60, 120), body_site=femur))
    history.add(symptom("pain", recorded=history.date(5, 20), body_site=femur))
    history.add(ecog(1, effective=history.date(3, 10)))
    history.add(m_stage(effective=history.date(60, 120)))
    history.add(survival_estimate(10, effective=history.date(3, 10)))
    site, dose, fractions = _EARLIER_COURSES[0]
    history.add(rt_course(site, dose, fractions, ended=history.date(start // 2, start)))


def _comorbidity(history: _History) -> Resource:
    code, display = history.random.choice(_COMORBIDITIES)
    status = history.random.choice(("active", "active", "resolved", "inactive"))
    resource = condition(SNOMED, code, recorded=history.date(), status=status)
    resource["code"]["coding"][0]["display"] = display
    return resource


def _old_symptom(history: _History) -> Resource:
    kind = history.random.choice(("cough", "dyspnea", "thoracic-pain", "hemoptysis"))
    return symptom(kind, recorded=history.date(120), status="resolved")


def _performance(history: _History) -> Resource:
    effective = history.date(10)
    if history.random.random() < 0.8:
        return ecog(history.random.choice((0, 1, 1, 2)), effective=effective)
    return karnofsky(history.random.choice((70, 80, 90)), effective=effective)


def _symptom_observation(history: _History) -> Resource:
    kind = history.random.choice(_SYMPTOM_OBSERVATIONS)
    return observation(SYMPTOM_CODES[kind], effective=history.date(30),
                       valueBoolean=history.random.random() < 0.5)


def _staging(history: _History) -> Resource:
    if history.random.random() < 0.5:
        return m_stage(effective=history.date(120))
    return survival_estimate(history.random.choice((6, 9, 12, 18)), effective=history.date(120))


def _chemotherapy(history: _History) -> Resource:
    return medication_request(history.random.choice(_CHEMOTHERAPY), status="completed",
                              authored=history.date(60))


def _supportive(history: _History) -> Resource:
    code, name = history.random.choice(_SUPPORTIVE_MEDICATIONS)
    # The builder knows only the medications the rules read; any other is the same request recoded.
    status = history.random.choice(("active", "completed", "stopped"))
    resource = medication_request("carboplatin", status=status, authored=history.date())
    resource["medicationCodeableConcept"] = concept(ATC, code, name)
    resource["dosageInstruction"] = [{"text": history.words(6),
                                      "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}}]
    return resource


def _statement(history: _History) -> Resource:
    return medication_statement(history.random.choice(sorted(MEDICATION_ATC)), status="completed",
                                effective=history.date(90))


def _other_procedure(history: _History) -> Resource:
    code, display = history.random.choice(_PROCEDURES)
    resource = procedure(SNOMED, code, performed=history.date())
    resource["code"]["coding"][0]["display"] = display
    return resource


def _earlier_course(history: _History) -> Resource:
    site, dose, fractions = history.random.choice(_EARLIER_COURSES[1:])
    return rt_course(site, dose, fractions, ended=history.date(120))


def _volume(history: _History) -> Resource:
    return body_structure(history.random.choice(("thorax", "thoracic-spine", "pelvis", "rib")))


def _icd10_duplicate(history: _History) -> Resource:
    return condition(ICD10, history.random.choice(("C34.1", "C79.5", "R52.9")), recorded=history.date())


_FILLERS: list[tuple[Callable[[_History], Resource], int]] = [
    (_performance, 22), (_symptom_observation, 10), (_staging, 6),
    (_comorbidity, 10), (_old_symptom, 4), (_icd10_duplicate, 4),
    (_chemotherapy, 14), (_supportive, 14), (_statement, 3),
    (_other_procedure, 7), (_earlier_course, 2), (_volume, 4),
]


def patient_history(resource_count: int, seed: int = DEFAULT_SEED) -> list[Resource]:
    """`resource_count` resources of the patient (at least the core story's eight)."""
    history = _History(seed, span_days=max(180, min(3 * 365, resource_count * 3)))
    _core(history)
    makers, weights = zip(*_FILLERS, strict=True)
    while len(history.resources) < resource_count:
        history.add(history.random.choices(makers, weights)[0](history))
    return history.resources


def draft_order() -> Resource:
    return rt_order("femur", 30, 10, id=DRAFT_ORDER_ID)


def order_sign_request(resource_count: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """An order-sign request with every prefetch key filled."""
    return {
        "hookInstance": HOOK_INSTANCE,
        "hook": HOOK,
        "fhirServer": "https://fhir.example-region.dk/R4",
        "context": _context(),
        "prefetch": prefetch_for(patient_history(resource_count, seed)),
    }


def fallback_request(fhir_base_url: str) -> dict[str, Any]:
    """An order-sign request without prefetch: the service reads everything from `fhir_base_url`."""
    return {"hookInstance": HOOK_INSTANCE, "hook": HOOK, "fhirServer": fhir_base_url, "context": _context()}


def _context() -> dict[str, Any]:
    return {"userId": "Practitioner/onk-4471", "patientId": PATIENT_ID,
            "draftOrders": bundle([draft_order()], type=None)}

