"""The patient's clinical picture as the guideline rules see it.

Every fact keeps the `Source` it was read from, so a card can say which resource, and of which
date, made it fire. Values are immutable: rules are pure functions of a `PatientFacts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact came from: a relative reference ("Condition/123") and its clinical date."""

    reference: str
    recorded: date | None = None


class Histology(StrEnum):
    NSCLC = "nsclc"
    SCLC = "sclc"
    UNKNOWN = "unknown"


class Intent(StrEnum):
    PALLIATIVE = "palliative"
    CURATIVE = "curative"
    PREVENTIVE = "preventive"
    SUPPORTIVE = "supportive"
    UNKNOWN = "unknown"


class Region(StrEnum):
    """Treatment regions (CONVENTIONS.md, "Sites, regions and organs")."""

    THORAX = "thorax"
    CERVICAL_SPINE = "cervical-spine"
    THORACIC_SPINE = "thoracic-spine"
    LUMBAR_SPINE = "lumbar-spine"
    SPINAL_CORD = "spinal-cord"
    NECK = "neck"
    BRAIN = "brain"
    BONE = "bone"
    LIVER = "liver"
    ADRENAL = "adrenal"
    KIDNEY = "kidney"
    SKIN = "skin"
    SOFT_TISSUE = "soft-tissue"
    OTHER = "other"


class Organ(StrEnum):
    """Organs a metastasis sits in; counted for oligometastatic and limited extrathoracic disease."""

    BRAIN = "brain"
    BONE = "bone"
    LIVER = "liver"
    ADRENAL = "adrenal"
    KIDNEY = "kidney"
    SKIN = "skin"
    SOFT_TISSUE = "soft-tissue"
    LUNG = "lung"
    PLEURA = "pleura"
    MEDIASTINUM = "mediastinum"
    LYMPH_NODE = "lymph-node"
    NERVOUS_SYSTEM = "nervous-system"
    OTHER = "other"

    @property
    def is_thoracic(self) -> bool:
        return self in (Organ.LUNG, Organ.PLEURA, Organ.MEDIASTINUM)


@dataclass(frozen=True, slots=True)
class Site:
    """A treated or affected site: its region and, where coded, the SNOMED body structure."""

    region: Region
    body_structure: str | None = None
    whole_brain: bool | None = None
    """For brain sites: True whole brain, False partial, None not stated."""


class SymptomKind(StrEnum):
    HEMOPTYSIS = "hemoptysis"
    COUGH = "cough"
    DYSPNEA = "dyspnea"
    THORACIC_PAIN = "thoracic-pain"
    PAIN = "pain"
    HEADACHE = "headache"
    SEIZURE = "seizure"

    @property
    def is_thoracic(self) -> bool:
        return self in (
            SymptomKind.HEMOPTYSIS,
            SymptomKind.COUGH,
            SymptomKind.DYSPNEA,
            SymptomKind.THORACIC_PAIN,
        )

    @property
    def is_cerebral(self) -> bool:
        return self in (SymptomKind.HEADACHE, SymptomKind.SEIZURE)


@dataclass(frozen=True, slots=True)
class Symptom:
    kind: SymptomKind
    source: Source
    site: Site | None = None
    """Body site of the symptom where coded (pain at a bone metastasis, for example)."""


@dataclass(frozen=True, slots=True)
class LungCancer:
    histology: Histology
    source: Source
    histology_source: Source | None = None
    """Where the histology was read, when not from the diagnosis code itself."""


@dataclass(frozen=True, slots=True)
class Metastasis:
    organ: Organ
    source: Source
    site: Site | None = None
    lesion_count: int | None = None
    pathological_fracture: Source | None = None
    soft_tissue_component: Source | None = None
    spinal_cord_involvement: Source | None = None
    pain: tuple[Source, ...] = ()
    """Evidence that this metastasis is painful (CONVENTIONS.md "symptomatic metastasis (pain)")."""


@dataclass(frozen=True, slots=True)
class SpinalCordCompression:
    source: Source
    onset: date | None
    site: Site | None = None
    treated_by: Source | None = None
    """An RT course to the spine or a decompression after onset (CONVENTIONS.md "MSCC treated")."""


@dataclass(frozen=True, slots=True)
class PerformanceStatus:
    """WHO/ECOG 0-5; `karnofsky` is set when the value was converted from Karnofsky."""

    ecog: int
    source: Source
    karnofsky: int | None = None


@dataclass(frozen=True, slots=True)
class SurvivalEstimate:
    months: Decimal | None
    """Normalised to months; None when the value could not be read as a duration."""
    text: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class DriverAlteration:
    gene: str
    """HGNC symbol, e.g. "EGFR"."""
    variant: str | None
    """Protein or exon change when recorded, e.g. "p.V600E"; None when only the gene is known."""
    source: Source


class TherapyClass(StrEnum):
    CHEMOTHERAPY = "chemotherapy"
    TARGETED = "targeted"
    IMMUNOTHERAPY = "immunotherapy"


@dataclass(frozen=True, slots=True)
class SystemicTherapy:
    therapy_class: TherapyClass
    planned: bool
    """True for planned (draft, on-hold, proposal, plan), False for active treatment."""
    code: str
    """The ATC or RxNorm code that classified it, for display."""
    source: Source


@dataclass(frozen=True, slots=True)
class Corticosteroid:
    active: bool
    for_cerebral: bool
    """Its reason is a brain metastasis or a cerebral symptom (CONVENTIONS.md)."""
    source: Source
    planned: bool = False
    """Prescribed but not started: a draft, on-hold or planned request, or a draft order of the hook."""


@dataclass(frozen=True, slots=True)
class RadiotherapyCourse:
    """A prior (completed, stopped or in-progress) radiotherapy course."""

    status: str
    start: date | None
    end: date | None
    site: Site | None
    total_dose_gy: Decimal | None
    fractions: int | None
    intent: Intent
    reirradiation: bool | None
    no_response: bool
    """Recorded without symptom relief (SNOMED 266721009 in outcome or statusReason)."""
    stereotactic: bool
    reason_references: tuple[str, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class RadiotherapyOrder:
    """A draft radiotherapy ServiceRequest from `context.draftOrders`."""

    reference: str
    """"ServiceRequest/{id}"."""
    selected: bool
    """Listed in `context.selections` (always True on order-sign)."""
    site: Site | None
    total_dose_gy: Decimal | None
    fractions: int | None
    intent: Intent
    stereotactic: bool
    reirradiation: bool | None
    reason_references: tuple[str, ...]
    reason_symptoms: tuple[SymptomKind, ...]
    """Symptoms named in `reasonCode` or by a symptom Condition in `reasonReference` (pain, headache, ...)."""
    authored: date | None
    source: Source
    resource: dict[str, object] = field(compare=False, hash=False)
    """The draft ServiceRequest as received, for `update` suggestions (whole resource)."""


@dataclass(frozen=True, slots=True)
class DataQualityNote:
    reference: str
    problem: str
    """Short technical description, no patient data (e.g. "Observation failed validation: value")."""


@dataclass(frozen=True, slots=True)
class PatientFacts:
    lung_cancer: LungCancer | None = None
    metastatic: tuple[Source, ...] = ()
    """Evidence of incurable/metastatic disease: metastasis Conditions, M1 or stage IV."""
    not_curable: Source | None = None
    metastases: tuple[Metastasis, ...] = ()
    oligometastatic: Source | None = None
    """Stated oligometastatic disease (a coded Condition/Observation)."""
    oligoprogression: Source | None = None
    spinal_cord_compression: SpinalCordCompression | None = None
    svc_syndrome: Source | None = None
    symptoms: tuple[Symptom, ...] = ()
    performance_status: PerformanceStatus | None = None
    """Most recent PS within 90 days; None when missing or older."""
    stale_performance_status: PerformanceStatus | None = None
    """The most recent PS when it is older than 90 days (shown on the card, never used)."""
    survival_estimate: SurvivalEstimate | None = None
    drivers: tuple[DriverAlteration, ...] = ()
    systemic_therapies: tuple[SystemicTherapy, ...] = ()
    corticosteroids: tuple[Corticosteroid, ...] = ()
    prior_courses: tuple[RadiotherapyCourse, ...] = ()
    brain_metastasectomies: tuple[Source, ...] = ()
    orders: tuple[RadiotherapyOrder, ...] = ()
    """Draft radiotherapy orders (order hooks only)."""
    data_quality: tuple[DataQualityNote, ...] = ()
    today: date | None = None
    """The evaluation date the facts were read against."""
