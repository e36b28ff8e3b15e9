"""The request's resources and draft orders as one `PatientFacts`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

from service.facts.cancer import read_lung_cancer, read_metastatic_evidence
from service.facts.chart import Chart
from service.facts.drivers import read_drivers
from service.facts.medications import read_medications
from service.facts.metastases import read_metastases
from service.facts.model import Organ, PatientFacts
from service.facts.mscc import current_mscc, read_mscc, with_treatment
from service.facts.orders import read_orders
from service.facts.performance import read_performance_status
from service.facts.radiotherapy import read_courses
from service.facts.stated import most_recent_stated
from service.facts.surgery import brain_metastasectomies, read_operations
from service.facts.survival import read_survival_estimate
from service.facts.symptoms import OBSERVATION_MAX_AGE_DAYS, read_symptoms
from service.facts.valuesets import (
    NOT_CURABLE,
    OLIGOMETASTATIC,
    OLIGOPROGRESSION,
    SVC_SYNDROME,
)


def build_patient_facts(
    resources: Iterable[Mapping[str, Any]],
    *,
    patient_id: str,
    today: date,
    draft_orders: Iterable[Mapping[str, Any]] = (),
    selections: Collection[str] | None = None,
) -> PatientFacts:
    """Facts about `patient_id` as of `today`.

    `resources`: every resource from prefetch and fetches, out of their Bundles; other patients'
    resources and unread types are ignored. `draft_orders`: the entries of `context.draftOrders`.
    `selections`: `context.selections` (None: every draft order is selected, as on order-sign).
    """
    chart = Chart(resources, patient_id=patient_id, today=today)
    drafts = list(draft_orders)
    orders = read_orders(chart, drafts, selections)

    lung_cancer, histology_notes = read_lung_cancer(chart)
    performance_status, stale_performance_status, ps_notes = read_performance_status(chart)
    courses = read_courses(chart)
    operations = read_operations(chart)
    compressions = tuple(with_treatment(m, courses, operations) for m in read_mscc(chart))
    symptoms = read_symptoms(chart, orders)
    metastases = read_metastases(chart, orders, symptoms, compressions)
    brain = frozenset(m.source.reference for m in metastases if m.organ is Organ.BRAIN)
    cerebral = brain | {s.source.reference for s in symptoms if s.kind.is_cerebral}
    therapies, corticosteroids = read_medications(chart, frozenset(cerebral), drafts)

    return PatientFacts(
        lung_cancer=lung_cancer,
        metastatic=read_metastatic_evidence(chart, metastases),
        not_curable=most_recent_stated(chart, NOT_CURABLE),
        metastases=metastases,
        oligometastatic=most_recent_stated(chart, OLIGOMETASTATIC),
        oligoprogression=most_recent_stated(chart, OLIGOPROGRESSION),
        spinal_cord_compression=current_mscc(compressions),
        svc_syndrome=most_recent_stated(chart, SVC_SYNDROME, max_age_days=OBSERVATION_MAX_AGE_DAYS),
        symptoms=symptoms,
        performance_status=performance_status,
        stale_performance_status=stale_performance_status,
        survival_estimate=read_survival_estimate(chart),
        drivers=read_drivers(chart),
        systemic_therapies=therapies,
        corticosteroids=corticosteroids,
        prior_courses=courses,
        brain_metastasectomies=brain_metastasectomies(operations, brain),
        orders=orders,
        data_quality=tuple(chart.notes) + tuple(histology_notes) + tuple(ps_notes),
        today=today,
    )

