"""Primary lung cancer, histology, and the evidence that the disease is incurable or metastatic."""

from __future__ import annotations

from typing import Any

from service.facts.chart import Chart
from service.facts.codes import ValueSet
from service.facts.model import DataQualityNote, Histology, LungCancer, Metastasis, Organ, Source
from service.facts.reading import (
    clinical_date,
    codes,
    condition_date,
    current_conditions,
    extensions,
    observation_date,
    observations_newest_first,
    source,
)
from service.facts.valuesets import (
    EXT_HISTOLOGY,
    HISTOLOGY,
    LUNG_CANCER,
    LUNG_TOPOGRAPHY,
    M1,
    M_CATEGORY,
    MALIGNANT_NEOPLASM,
    STAGE_GROUP,
    STAGE_IV,
    STAGE_IV_DISORDER,
)

_LUNG_CANCER_OR_GENERIC = ValueSet(LUNG_CANCER.keys(), MALIGNANT_NEOPLASM.keys())
_STAGED_CONDITIONS = ValueSet(STAGE_IV_DISORDER.keys(), M1.keys(), _LUNG_CANCER_OR_GENERIC.keys())
"""Conditions that may state stage IV / M1: by code, SKS supplementary code, or stage summary."""


def _is_lung_cancer(condition: Any) -> bool:
    keys = codes(condition.code)
    if LUNG_CANCER.matches(keys):
        return True
    return MALIGNANT_NEOPLASM.matches(keys) and LUNG_TOPOGRAPHY.matches(codes(condition.bodySite))


def _histology(condition: Any) -> tuple[Histology, bool]:
    """The condition's histology and whether it came from the diagnosis code itself."""
    from_code = HISTOLOGY.all(codes(condition.code))
    from_extension = HISTOLOGY.all(
        key for ext in extensions(condition, EXT_HISTOLOGY) for key in codes(ext.valueCodeableConcept))
    stated = set(from_code) | set(from_extension)
    if len(stated) != 1:
        return Histology.UNKNOWN, True
    return stated.pop(), bool(from_code)


def read_lung_cancer(chart: Chart) -> tuple[LungCancer | None, list[DataQualityNote]]:
    """The primary lung cancer; histology NSCLC/SCLC only when every Condition that states one agrees."""
    conditions = [c for c in current_conditions(chart, _LUNG_CANCER_OR_GENERIC, remission_counts=True)
                  if _is_lung_cancer(c)]
    if not conditions:
        return None, []
    diagnosis = max((source(c, condition_date(c)) for c in conditions), key=clinical_date)
    stated: dict[Histology, list[tuple[Source, bool]]] = {}
    for condition in conditions:
        histology, from_code = _histology(condition)
        if histology is not Histology.UNKNOWN:
            stated.setdefault(histology, []).append((source(condition, condition_date(condition)), from_code))
    if not stated:
        return LungCancer(Histology.UNKNOWN, diagnosis), []
    if len(stated) > 1:
        conflict = DataQualityNote(diagnosis.reference, "lung cancer Conditions state conflicting histology")
        return LungCancer(Histology.UNKNOWN, diagnosis), [conflict]
    histology, readings = next(iter(stated.items()))
    histology_source, from_code = max(readings, key=lambda reading: clinical_date(reading[0]))
    if from_code and histology_source.reference == diagnosis.reference:
        return LungCancer(histology, diagnosis), []
    return LungCancer(histology, diagnosis, histology_source), []


def read_metastatic_evidence(chart: Chart, metastases: tuple[Metastasis, ...]) -> tuple[Source, ...]:
    """Distant metastases, stage IV and M1 Conditions, and the latest M category / stage group when M1 / IV.

    Mediastinal involvement is T4 or N2-N3 disease of a lung primary, never M1 (TNM 8): a
    mediastinal "metastasis" alone does not make the disease incurable.
    """
    evidence = [m.source for m in metastases if m.organ is not Organ.MEDIASTINUM]
    for condition in current_conditions(chart, _STAGED_CONDITIONS, remission_counts=True):
        keys = codes(condition.code)
        summaries = codes([stage.summary for stage in condition.stage or ()])
        if STAGE_IV_DISORDER.matches(keys) or M1.matches(keys) or STAGE_IV.matches(summaries) \
                or M1.matches(summaries):
            evidence.append(source(condition, condition_date(condition)))
    for category, stated in ((M_CATEGORY, M1), (STAGE_GROUP, STAGE_IV)):
        latest = _latest_observation(chart, category)
        if latest is not None and stated.matches(codes(latest.valueCodeableConcept)):
            evidence.append(source(latest, observation_date(latest)))
    return tuple(dict.fromkeys(evidence))


def _latest_observation(chart: Chart, value_set: ValueSet) -> Any | None:
    return next(observations_newest_first(chart, value_set), None)
