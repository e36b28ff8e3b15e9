"""A patient record as a CDS Hooks request: what `evaluate` and the viewer send when given a plain Bundle.

A FHIR Bundle (one patient's record, optionally with draft ServiceRequests) becomes a request for the
chosen hook: the record's resources fill every prefetch key of the service, and the draft ServiceRequests
become `context.draftOrders` (on order-select, all of them selected). A CDS Hooks request is taken as
it is, or moved to another hook (patient-view drops its draft orders; order-select selects them all).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from service.api.services import PREFETCH
from service.guideline.model import Hook

USER_ID = "Practitioner/integration-tester"
"""The `context.userId` of a request made from a Bundle (the service does not read it)."""

_PATIENT_KEY = "patient"
_RESOURCE_TYPE_BY_KEY = {key: template.split("?")[0].split("/")[0] for key, template in PREFETCH.items()}
_PATIENT_ELEMENT = {"Patient": None, "BodyStructure": "patient"}


class NotAHookRequest(ValueError):
    """The document can be made into no request; the message says why, for the person who gave it."""


def hook_named(name: object) -> Hook:
    try:
        return Hook(name)
    except ValueError:
        raise NotAHookRequest(f"hook: {name!r} is not one of {', '.join(h.value for h in Hook)}") from None


def hook_request(document: object, hook: Hook | None = None) -> dict[str, Any]:
    """The CDS Hooks request for `document` (a request or a Bundle) on `hook`.

    Without `hook`, a request keeps its own; a Bundle goes to order-select when it holds draft
    ServiceRequests, otherwise to patient-view.
    """
    if not isinstance(document, dict):
        raise NotAHookRequest("not a JSON object")
    if "hook" in document:
        return _retarget(document, hook)
    resource_type = document.get("resourceType")
    if not isinstance(resource_type, str):
        raise NotAHookRequest('neither a CDS Hooks request (no "hook") '
                              'nor a FHIR resource (no "resourceType")')
    if resource_type != "Bundle":
        raise NotAHookRequest(f"a FHIR {resource_type}: give a Bundle with the patient's record, "
                              "or a CDS Hooks request")
    return _from_bundle(document, hook)


def is_draft_order(resource: Mapping[str, Any]) -> bool:
    return resource.get("resourceType") == "ServiceRequest" and resource.get("status") == "draft"


def _entry_resources(bundle: Mapping[str, Any], where: str = "Bundle") -> list[dict[str, Any]]:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise NotAHookRequest(f"{where}.entry: must be a list")
    found = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise NotAHookRequest(f"{where}.entry[{index}]: no resource with a resourceType")
        found.append(resource)
    return found


def _patient_reference(resource: Mapping[str, Any]) -> str | None:
    element = _PATIENT_ELEMENT.get(resource["resourceType"], "subject")
    subject = resource.get(element) if element else None
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if isinstance(reference, str) and reference.startswith("Patient/"):
        return reference.removeprefix("Patient/")
    return None


def _patient_id(patients: list[dict[str, Any]], resources: Iterable[Mapping[str, Any]]) -> str:
    if len(patients) > 1:
        raise NotAHookRequest(f"holds {len(patients)} Patient resources: give one patient's record")
    if patients:
        patient_id = patients[0].get("id")
        if not isinstance(patient_id, str) or not patient_id:
            raise NotAHookRequest("the Patient resource has no id")
        return patient_id
    referenced = {ref for resource in resources if (ref := _patient_reference(resource)) is not None}
    if not referenced:
        raise NotAHookRequest("no Patient resource, and no resource refers to a patient")
    if len(referenced) > 1:
        raise NotAHookRequest(f"no Patient resource, and the resources refer to {len(referenced)} patients")
    return referenced.pop()


def _searchset(resources: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    entries = [{"resource": resource} for resource in resources]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


def _from_bundle(bundle: Mapping[str, Any], hook: Hook | None) -> dict[str, Any]:
    resources = _entry_resources(bundle)
    drafts = [resource for resource in resources if is_draft_order(resource)]
    record = [resource for resource in resources if not is_draft_order(resource)]
    patients = [resource for resource in record if resource["resourceType"] == "Patient"]
    patient_id = _patient_id(patients, resources)
    hook = hook or (Hook.ORDER_SELECT if drafts else Hook.PATIENT_VIEW)

    prefetch: dict[str, Any] = {}
    for key, resource_type in _RESOURCE_TYPE_BY_KEY.items():
        if key == _PATIENT_KEY:
            prefetch[key] = patients[0] if patients else None
        else:
            prefetch[key] = _searchset(r for r in record if r["resourceType"] == resource_type)
    context: dict[str, Any] = {"userId": USER_ID, "patientId": patient_id}
    if hook.is_order_hook:
        if not drafts:
            raise NotAHookRequest(f'{hook.value} needs a draft ServiceRequest (status "draft"); '
                                  "the record holds none")
        _add_draft_orders(context, {"resourceType": "Bundle", "type": "collection",
                                    "entry": [{"resource": draft} for draft in drafts]}, hook)
    return {"hook": hook.value, "hookInstance": str(uuid.uuid4()), "context": context, "prefetch": prefetch}


def _add_draft_orders(context: dict[str, Any], draft_orders: dict[str, Any], hook: Hook) -> None:
    context["draftOrders"] = draft_orders
    if hook is Hook.ORDER_SELECT:
        selections = []
        for resource in _entry_resources(draft_orders, "context.draftOrders"):
            if not isinstance(resource.get("id"), str):
                raise NotAHookRequest(f"a draft {resource['resourceType']} has no id: order-select "
                                      "selects draft orders by id")
            selections.append(f"{resource['resourceType']}/{resource['id']}")
        context["selections"] = selections


def _retarget(request: dict[str, Any], hook: Hook | None) -> dict[str, Any]:
    if hook is None or request.get("hook") == hook.value:
        return request
    context = request.get("context")
    if not isinstance(context, dict):
        raise NotAHookRequest("context: must be a JSON object")
    moved = {key: value for key, value in context.items() if key not in ("draftOrders", "selections")}
    if hook.is_order_hook:
        draft_orders = context.get("draftOrders")
        if not isinstance(draft_orders, dict) or not _entry_resources(draft_orders, "context.draftOrders"):
            raise NotAHookRequest(f"a {request.get('hook')} request has no draft orders "
                                  f"to check on {hook.value}")
        _add_draft_orders(moved, draft_orders, hook)
    return {**request, "hook": hook.value, "hookInstance": str(uuid.uuid4()), "context": moved}
