"""The CDS services this server offers (discovery) and the FHIR data each one reads."""

from __future__ import annotations

from dataclasses import dataclass

from service.facts.valuesets import OBSERVATION_SEARCH_CODES
from service.guideline.model import Hook
from service.wire.models import DiscoveryResponse, ServiceDefinition

PATIENT_SEARCH = "patient={{context.patientId}}"

PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": f"Condition?{PATIENT_SEARCH}",
    "observations": f"Observation?{PATIENT_SEARCH}&code={','.join(OBSERVATION_SEARCH_CODES)}",
    "procedures": f"Procedure?{PATIENT_SEARCH}",
    "medications": f"MedicationRequest?{PATIENT_SEARCH}",
    "medicationStatements": f"MedicationStatement?{PATIENT_SEARCH}",
    "medicationAdministrations": f"MedicationAdministration?{PATIENT_SEARCH}",
    "bodyStructures": f"BodyStructure?{PATIENT_SEARCH}",
}
"""Prefetch templates, inside the CDS Hooks query subset (reads, reference and token searches)."""

REQUIRED_PREFETCH = frozenset({"conditions"})
"""Without the patient's conditions no rule can tell whether the guideline applies: 412."""

_USAGE = (
    "Send the prefetch or a fhirServer (with fhirAuthorization when the server needs it): the service "
    "reads whatever is missing from the FHIR server. Without the patient's conditions it answers 412."
)


@dataclass(frozen=True, slots=True)
class CdsService:
    id: str
    hook: Hook
    title: str
    description: str

    def definition(self) -> ServiceDefinition:
        return ServiceDefinition(hook=self.hook.value, id=self.id, title=self.title,
                                 description=self.description, prefetch=PREFETCH, usageRequirements=_USAGE)


SERVICES: tuple[CdsService, ...] = (
    CdsService(
        id="palliative-rt-patient-view",
        hook=Hook.PATIENT_VIEW,
        title="Palliative radiotherapy of lung cancer (DOLG v3.0): patient overview",
        description="When a lung cancer patient's record is opened, shows the palliative radiotherapy "
                    "recommendations of the Danish national guideline (DOLG v3.0) that apply to the patient.",
    ),
    CdsService(
        id="palliative-rt-order-select",
        hook=Hook.ORDER_SELECT,
        title="Palliative radiotherapy of lung cancer (DOLG v3.0): order check",
        description="When a radiotherapy course is selected for a lung cancer patient, checks the selected "
                    "draft orders against the Danish national guideline (DOLG v3.0) and suggests regimens.",
    ),
    CdsService(
        id="palliative-rt-order-sign",
        hook=Hook.ORDER_SIGN,
        title="Palliative radiotherapy of lung cancer (DOLG v3.0): signing check",
        description="Before radiotherapy orders for a lung cancer patient are signed, warns where they "
                    "depart from the Danish national guideline (DOLG v3.0) and suggests a guideline regimen.",
    ),
)

SERVICE_BY_ID = {service.id: service for service in SERVICES}
SERVICE_ID_BY_HOOK = {service.hook.value: service.id for service in SERVICES}


def discovery() -> DiscoveryResponse:
    return DiscoveryResponse(services=[service.definition() for service in SERVICES])
