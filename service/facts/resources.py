"""FHIR R4 resources as fhir.resources R4B models, validated one resource at a time.

Only resources a fact may come from are validated (a whole prefetch would cost tens of ms). A
resource that fails validation is skipped and reported as a `DataQualityNote` that names the
failing elements, never their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel

# EHRs send elements of newer versions and local additions; unknown elements must not cost a
# clinically valid resource. This must run before any model class is imported.
FHIRAbstractModel.set_global_model_config(extra="ignore")

from fhir.resources.R4B.bodystructure import BodyStructure  # noqa: E402
from fhir.resources.R4B.condition import Condition  # noqa: E402
from fhir.resources.R4B.medication import Medication  # noqa: E402
from fhir.resources.R4B.medicationadministration import MedicationAdministration  # noqa: E402
from fhir.resources.R4B.medicationrequest import MedicationRequest  # noqa: E402
from fhir.resources.R4B.medicationstatement import MedicationStatement  # noqa: E402
from fhir.resources.R4B.observation import Observation  # noqa: E402
from fhir.resources.R4B.procedure import Procedure  # noqa: E402
from fhir.resources.R4B.servicerequest import ServiceRequest  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from service.facts.model import DataQualityNote  # noqa: E402

MODELS: dict[str, type[FHIRAbstractModel]] = {
    model.__name__: model
    for model in (
        BodyStructure, Condition, Medication, MedicationAdministration, MedicationRequest,
        MedicationStatement, Observation, Procedure, ServiceRequest,
    )
}
_MAX_LOCATIONS = 3


def reference_of(resource: Mapping[str, Any]) -> str:
    """"Type/id" of a raw resource."""
    return f"{resource.get('resourceType')}/{resource.get('id') or 'unidentified'}"


def normalise_reference(reference: object) -> str | None:
    """"Type/id" from a relative, absolute or versioned reference; None for others (contained, urn)."""
    if not isinstance(reference, str) or reference.startswith(("#", "urn:")):
        return None
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-2] or not parts[-1]:
        return None
    return f"{parts[-2]}/{parts[-1]}"


def validate(resource: Mapping[str, Any]) -> FHIRAbstractModel | DataQualityNote:
    """The resource as a model, or the note saying why it cannot be read."""
    resource_type = resource.get("resourceType")
    model = MODELS.get(resource_type) if isinstance(resource_type, str) else None
    if model is None:
        return DataQualityNote(reference_of(resource), f"{resource_type} is not read")
    try:
        # The narrative is never read and is often the largest element of an EHR's resource.
        return model.model_validate({key: value for key, value in resource.items() if key != "text"})
    except ValidationError as error:
        return DataQualityNote(reference_of(resource), _problem(resource_type, error))
    except (TypeError, ValueError) as error:
        problem = f"{resource_type} failed validation: {type(error).__name__}"
        return DataQualityNote(reference_of(resource), problem)


def _problem(resource_type: str, error: ValidationError) -> str:
    locations: list[str] = []
    for detail in error.errors(include_input=False, include_url=False):
        location = ".".join(str(part) for part in detail["loc"] if not isinstance(part, int))
        if location and location not in locations:
            locations.append(location)
    shown = ", ".join(locations[:_MAX_LOCATIONS]) or "structure"
    more = "" if len(locations) <= _MAX_LOCATIONS else f" (+{len(locations) - _MAX_LOCATIONS} more)"
    return f"{resource_type} failed validation: {shown}{more}"
