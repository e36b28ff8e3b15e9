"""The patient's resources, indexed once and validated only where a fact may come from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from service.facts.codes import CodeMap, Key, raw_keys, raw_well_formed
from service.facts.model import DataQualityNote
from service.facts.resources import MODELS, normalise_reference, reference_of, validate
from service.facts.valuesets import READ_CODES

_PATIENT_ELEMENT = {"BodyStructure": "patient"}
_UNLINKED_TYPES = frozenset({"Medication"})
"""Types that never name a patient (a Medication is shared by the requests that use it)."""

_Candidate = tuple[int, Mapping[str, Any], bool]
"""A resource's position in the request, the resource, and whether its coded elements are well formed."""
_CandidateGroups = dict[tuple[Key, ...], list[_Candidate]]
"""Candidates by the keys of their coded elements: a history repeats its codes, so a value set is looked
up once per group rather than once per resource."""


class Chart:
    """Resources of one patient by type and reference; each validated at most once."""

    def __init__(self, resources: Iterable[Mapping[str, Any]], *, patient_id: str, today: date) -> None:
        self.today = today
        self._patient = f"Patient/{patient_id}"
        self._by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        self._by_reference: dict[str, Mapping[str, Any]] = {}
        self._validated: dict[int, FHIRAbstractModel | None] = {}
        self._keys: dict[tuple[int, tuple[str, ...]], tuple[Key, ...]] = {}
        self._candidate_groups: dict[tuple[str, tuple[str, ...]], _CandidateGroups] = {}
        self._matched: dict[tuple[CodeMap[Any], tuple[Key, ...]], bool] = {}
        self.notes: list[DataQualityNote] = []
        for resource in resources:
            self._add(resource)

    def _add(self, resource: Mapping[str, Any]) -> bool:
        """Index a resource of this patient of a type the facts read; False when it is not."""
        if not isinstance(resource, dict):
            return False
        resource_type = resource.get("resourceType")
        if not isinstance(resource_type, str) or resource_type not in MODELS:
            return False
        if not self.belongs_to_patient(resource):
            return False
        self._by_type[resource_type].append(resource)
        self._by_reference.setdefault(reference_of(resource), resource)
        return True

    def belongs_to_patient(self, resource: Mapping[str, Any]) -> bool:
        """False only when the resource names another patient (a missing subject is not one)."""
        resource_type = resource.get("resourceType")
        if resource_type in _UNLINKED_TYPES:
            return True
        subject = resource.get(_PATIENT_ELEMENT.get(resource_type, "subject"))
        reference = normalise_reference(subject.get("reference")) if isinstance(subject, dict) else None
        return reference is None or reference == self._patient

    def model(self, resource: Mapping[str, Any]) -> Any | None:
        """The validated model, or None after noting why the resource cannot be read."""
        key = id(resource)
        if key not in self._validated:
            result = validate(resource)
            if isinstance(result, DataQualityNote):
                self.notes.append(result)
                self._validated[key] = None
            else:
                self._validated[key] = result
        return self._validated[key]

    def select(self, resource_type: str, value_set: CodeMap[Any], *elements: str) -> list[Any]:
        """Validated resources of a type whose coded `elements` (default `code`) match the value set."""
        return [model for resource in self.matching(resource_type, value_set, *elements)
                if (model := self.model(resource)) is not None]

    def matching(self, resource_type: str, value_set: CodeMap[Any],
                 *elements: str) -> list[Mapping[str, Any]]:
        """Resources of a type whose coded `elements` (default `code`) match the value set, as received.

        Nothing is validated but the resources whose codes cannot be read, so that they are reported.
        """
        elements = elements or ("code",)
        found: list[_Candidate] = []
        for keys, candidates in self._candidates(resource_type, elements).items():
            if self.matches(value_set, keys):
                found.extend(candidates)
            else:
                for _, resource, well_formed in candidates:
                    if not well_formed:
                        self.model(resource)  # reported once, as unreadable
        found.sort(key=lambda candidate: candidate[0])
        return [resource for _, resource, _ in found]

    def _candidates(self, resource_type: str, elements: tuple[str, ...]) -> _CandidateGroups:
        """The resources coded with anything the facts read, by their keys, found in one pass per type."""
        cache_key = (resource_type, elements)
        groups = self._candidate_groups.get(cache_key)
        if groups is None:
            readable = READ_CODES.get(resource_type)
            groups = {}
            for position, resource in enumerate(self._by_type.get(resource_type, ())):
                keys = self.raw_keys(resource, elements)
                well_formed = all(raw_well_formed(resource.get(element)) for element in elements)
                # A resource whose codes cannot be read is validated too, so that it is reported.
                if readable is None or self.matches(readable, keys) or not well_formed:
                    groups.setdefault(keys, []).append((position, resource, well_formed))
            self._candidate_groups[cache_key] = groups
        return groups

    def matches(self, value_set: CodeMap[Any], keys: tuple[Key, ...]) -> bool:
        """`value_set.matches(keys)`, looked up once per value set and codes: a history repeats its codes."""
        cache_key = (value_set, keys)
        matched = self._matched.get(cache_key)
        if matched is None:
            matched = self._matched[cache_key] = value_set.matches(keys)
        return matched

    def raw_keys(self, resource: Mapping[str, Any], elements: tuple[str, ...]) -> tuple[Key, ...]:
        """Keys of the coded elements in the raw resource, computed once per resource and elements."""
        cache_key = (id(resource), elements)
        keys = self._keys.get(cache_key)
        if keys is None:
            keys = tuple(key for element in elements for key in raw_keys(resource.get(element)))
            self._keys[cache_key] = keys
        return keys

    def of_type(self, resource_type: str) -> list[Mapping[str, Any]]:
        return self._by_type.get(resource_type, [])

    def raw(self, reference: object, resource_type: str) -> Mapping[str, Any] | None:
        """The resource of `resource_type` a reference points at, as received, when it is in the request."""
        normalised = normalise_reference(reference)
        if normalised is None or not normalised.startswith(resource_type + "/"):
            return None
        return self._by_reference.get(normalised)

    def resolve(self, reference: object, resource_type: str) -> Any | None:
        """The validated resource a reference points at, when it is in the request."""
        resource = self.raw(reference, resource_type)
        return None if resource is None else self.model(resource)
