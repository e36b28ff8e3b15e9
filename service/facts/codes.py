"""System + code matching.

A coding is turned into one or more *keys* once; value sets are precompiled maps from keys to a
meaning. Hierarchical classifications (ICD-10 in all its national spellings, Danish SKS, ICD-O-3,
ATC) are matched by prefix on a normalised code; every other system by exact code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CONCEPT = "urn:palliative-rt-cds:concept"
"""The service's own concepts for facts no standard encodes (CONVENTIONS.md)."""
AJCC = "http://cancerstaging.org"
RKKP_PERFORMANCE_STATUS = "https://kip.rkkp.dk/fhir/CodeSystem/PerformanceStatusScore"

# ICD-10 family: WHO, US clinical modification, the Danish supplement and Danish extensions
# (fhir-model.md 3.7). All are compared without the dot.
ICD10_SYSTEMS = frozenset({
    "http://hl7.org/fhir/sid/icd-10",
    "http://hl7.org/fhir/sid/icd-10-cm",
    "http://hl7.dk/fhir/core/CodeSystem/icd10-da",
    "http://hl7.dk/fhir/core/CodeSystem/icd10-danish-extensions",
})
# Danish SKS: the whole classification, its D (diagnosis) branch, and RKKP's local copy (fhir-model.md 3.7).
SKS_SYSTEMS = frozenset({
    "urn:oid:1.2.208.176.2.4",
    "urn:oid:1.2.208.176.2.4.12",
    "https://kip.rkkp.dk/fhir/CodeSystem/SKS",
})
ICDO3_SYSTEMS = frozenset({
    "http://terminology.hl7.org/CodeSystem/icd-o-3",
    "http://terminology.hl7.org/CodeSystem/icd-o",
    "urn:oid:2.16.840.1.113883.6.43.1",
})
ATC_SYSTEMS = frozenset({"http://www.whocc.no/atc", "urn:oid:2.16.840.1.113883.6.73"})
HGNC_SYSTEMS = frozenset({"http://www.genenames.org", "http://www.genenames.org/geneId"})

ICD10 = "icd10"
SKS = "sks"
ICDO3 = "icdo3"
ATC = "atc"
HGNC = "hgnc"
_PREFIX_KINDS = frozenset({ICD10, SKS, ICDO3, ATC})

Key = tuple[str, str]
"""(system or normalised kind, code)."""

T = TypeVar("T")


def keys_of(system: str | None, code: str | None) -> tuple[Key, ...]:
    """The keys a single coding matches under."""
    if not system or not code:
        return ()
    code = code.strip()
    if system in ICD10_SYSTEMS:
        return ((ICD10, code.upper().replace(".", "")),)
    if system in SKS_SYSTEMS:
        # "DC349+AZCD41": a diagnosis with an SKS supplementary code; D codes are ICD-10 with a "D".
        keys: list[Key] = []
        for part in code.upper().replace(".", "").split("+"):
            part = part.strip()
            if not part:
                continue
            keys.append((SKS, part))
            if part.startswith("D") and len(part) > 1:
                keys.append((ICD10, part[1:]))
        return tuple(keys)
    if system in ICDO3_SYSTEMS:
        # Morphology "8140/3", "81403" or topography "C34.1": compared without "/" and ".".
        return ((ICDO3, code.upper().replace("/", "").replace(".", "")),)
    if system in ATC_SYSTEMS:
        return ((ATC, code.upper()),)
    if system in HGNC_SYSTEMS:
        return ((HGNC, code.upper().removeprefix("HGNC:")),)
    if system == AJCC:
        return ((AJCC, code.upper().replace(" ", "")),)
    return ((system, code),)


def model_keys(concepts: Any) -> tuple[Key, ...]:
    """Keys of a validated CodeableConcept, Coding, or a list of them (None allowed)."""
    if concepts is None:
        return ()
    if isinstance(concepts, list):
        return tuple(key for concept in concepts for key in model_keys(concept))
    codings = getattr(concepts, "coding", None)
    if codings is None and hasattr(concepts, "system"):
        return keys_of(concepts.system, concepts.code)
    return tuple(key for coding in codings or () for key in keys_of(coding.system, coding.code))


def raw_keys(concepts: Any) -> Iterator[Key]:
    """Keys of a CodeableConcept (or list) in raw JSON, tolerating any malformation.

    Here and wherever resources are read before validation, a JSON object is a `dict` (as JSON parsers
    return it): checking for `Mapping` instead goes through the abc machinery, in loops that run for
    every resource of a patient's history.
    """
    for concept in concepts if isinstance(concepts, list) else (concepts,):
        codings = concept.get("coding") if isinstance(concept, dict) else None
        if not isinstance(codings, list):
            continue
        for coding in codings:
            if isinstance(coding, dict):
                system, code = coding.get("system"), coding.get("code")
                if isinstance(system, str) and isinstance(code, str):
                    yield from keys_of(system, code)


def raw_well_formed(concepts: Any) -> bool:
    """Absent, or CodeableConcept-shaped JSON whose codings have text system and code where given."""
    if concepts is None:
        return True
    for concept in concepts if isinstance(concepts, list) else (concepts,):
        if not isinstance(concept, dict):
            return False
        codings = concept.get("coding", [])
        if not isinstance(codings, list) or not all(_coding_well_formed(coding) for coding in codings):
            return False
    return True


def _coding_well_formed(coding: Any) -> bool:
    return isinstance(coding, dict) and all(isinstance(coding.get(f, ""), str) for f in ("system", "code"))


class CodeMap(Generic[T]):
    """Keys to meanings; prefix kinds match their longest listed prefix."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[tuple[Iterable[Key], T]]) -> None:
        self._entries: dict[Key, T] = {}
        for keys, meaning in entries:
            for key in keys:
                self._entries[key] = meaning

    def get(self, keys: Iterable[Key]) -> T | None:
        """The meaning of the first key that has one."""
        for key in keys:
            meaning = self.lookup(key)
            if meaning is not None:
                return meaning
        return None

    def lookup(self, key: Key) -> T | None:
        entries = self._entries
        if key[0] not in _PREFIX_KINDS:
            return entries.get(key)
        kind, code = key
        for length in range(len(code), 0, -1):
            meaning = entries.get((kind, code[:length]))
            if meaning is not None:
                return meaning
        return None

    def all(self, keys: Iterable[Key]) -> list[T]:
        """Every distinct meaning the keys have, in key order."""
        found: list[T] = []
        for key in keys:
            meaning = self.lookup(key)
            if meaning is not None and meaning not in found:
                found.append(meaning)
        return found

    def matches(self, keys: Iterable[Key]) -> bool:
        """Any key has a meaning."""
        return self.get(keys) is not None

    def keys(self) -> Iterable[Key]:
        return self._entries.keys()


class ValueSet(CodeMap[bool]):
    """A set of codes."""

    __slots__ = ()

    def __init__(self, *key_groups: Iterable[Key]) -> None:
        super().__init__((group, True) for group in key_groups)


def union(*value_sets: CodeMap[Any]) -> ValueSet:
    return ValueSet(*(value_set.keys() for value_set in value_sets))


# --- key builders for the value-set data -------------------------------------------------------

def sct(*codes: str) -> tuple[Key, ...]:
    return tuple((SNOMED, code) for code in codes)


def loinc(*codes: str) -> tuple[Key, ...]:
    return tuple((LOINC, code) for code in codes)


def rxnorm(*codes: str) -> tuple[Key, ...]:
    return tuple((RXNORM, code) for code in codes)


def concept(*codes: str) -> tuple[Key, ...]:
    return tuple((CONCEPT, code) for code in codes)


def icd10(*prefixes: str) -> tuple[Key, ...]:
    """ICD-10 prefixes, dotted or not; they also match SKS D codes ("C79.5" matches "DC795A")."""
    return tuple((ICD10, prefix.upper().replace(".", "")) for prefix in prefixes)


def sks(*prefixes: str) -> tuple[Key, ...]:
    """SKS prefixes outside the D branch (procedures "BWG", supplementary codes "AZCD41")."""
    return tuple((SKS, prefix.upper()) for prefix in prefixes)


def icdo3(*prefixes: str) -> tuple[Key, ...]:
    return tuple((ICDO3, prefix.upper().replace("/", "").replace(".", "")) for prefix in prefixes)


def atc(*prefixes: str) -> tuple[Key, ...]:
    return tuple((ATC, prefix.upper()) for prefix in prefixes)


def search_token(key: Key) -> str | None:
    """"system|code" for a FHIR token search, for keys whose system is a real code system."""
    system, code = key
    if system in (ICD10, SKS, ICDO3, ATC, HGNC, AJCC):
        return None
    return f"{system}|{code}"
