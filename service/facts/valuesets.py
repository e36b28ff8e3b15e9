"""Every code the service recognises, as data.

Sources are cited per value set: "fhir-model.md" is the project's FHIR research note
(shared/reference/fhir-model.md, which cites the IGs); "CONVENTIONS.md" the service's conventions for
facts no standard encodes. ICD-10 entries are prefixes: they match ICD-10 (WHO), ICD-10-CM, the
Danish ICD-10 extensions and SKS D codes alike (codes.py).
"""

from __future__ import annotations

from service.facts.codes import (
    AJCC,
    HGNC,
    RKKP_PERFORMANCE_STATUS,
    CodeMap,
    ValueSet,
    atc,
    concept,
    icd10,
    icdo3,
    loinc,
    rxnorm,
    sct,
    search_token,
    sks,
    union,
)
from service.facts.model import Histology, Intent, Organ, Region, SymptomKind, TherapyClass

# --- extensions (fhir-model.md 1.2, 3.1; CONVENTIONS.md) ----------------------------------------
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CODEX = "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
EXT_INTENT = MCODE + "mcode-procedure-intent"
EXT_TERMINATION_REASON = MCODE + "mcode-treatment-termination-reason"
EXT_MODALITY_AND_TECHNIQUE = MCODE + "mcode-radiotherapy-modality-and-technique"
EXT_TECHNIQUE = MCODE + "mcode-radiotherapy-technique"
EXT_SESSIONS = MCODE + "mcode-radiotherapy-sessions"
EXT_DOSE_DELIVERED = MCODE + "mcode-radiotherapy-dose-delivered-to-volume"
EXT_DOSE_PRESCRIBED = CODEX + "codexrt-radiotherapy-dose-prescribed-to-volume"
EXT_REIRRADIATION = CODEX + "codexrt-radiotherapy-course-involves-reirradiation"
EXT_BODY_LOCATION_QUALIFIER = MCODE + "mcode-body-location-qualifier"
EXT_HISTOLOGY = MCODE + "mcode-histology-morphology-behavior"
EXT_LESION_COUNT = "urn:palliative-rt-cds:fhir:StructureDefinition:metastasis-lesion-count"

# Profiles of the radiotherapy levels below a course: parts of a course, never a course of their
# own (fhir-model.md 1.1).
RT_PART_PROFILES = frozenset(
    CODEX + name for name in (
        "codexrt-radiotherapy-treated-phase", "codexrt-radiotherapy-treated-plan",
        "codexrt-radiotherapy-treated-fraction", "codexrt-radiotherapy-phase-prescription",
        "codexrt-radiotherapy-plan-prescription", "codexrt-radiotherapy-planned-phase",
        "codexrt-radiotherapy-treatment-plan",
    )
)

# --- lung cancer and histology ----------------------------------------------------------------
# fhir-model.md 3.2 (SNOMED from the PRIMIS list and mCODE), 3.3 and 6 (ICD-O-3 morphology).
SCLC_DISORDERS = sct("254632001", "254633006", "683991000119103", "67841000119103")
NSCLC_DISORDERS = sct(
    "254637007", "723301009", "440173001", "423121009", "254626006", "254634000", "254629004",
    "707451005",
    # driver-defined NSCLC disorders, positive and negative (fhir-model.md 3.2)
    "703228009", "426964009", "830151004", "722425009", "703230006", "427038005", "830055006", "830060005",
)
LUNG_CANCER = ValueSet(sct("363358000", "93880001"), SCLC_DISORDERS, NSCLC_DISORDERS, icd10("C34"))
HISTOLOGY = CodeMap[Histology]([
    (SCLC_DISORDERS, Histology.SCLC),
    (NSCLC_DISORDERS, Histology.NSCLC),
    (sct("1187332001"), Histology.NSCLC),  # SNOMED morphology "adenocarcinoma" (mCODE histology example)
    (icdo3("8041", "8042", "8043", "8044", "8045"), Histology.SCLC),
    (icdo3("8046", "8140", "825", "855", "8260", "8265", "8230", "8070", "8071", "8072", "8083",
           "8012", "8560"), Histology.NSCLC),
])
MALIGNANT_NEOPLASM = ValueSet(sct("363346000"))
"""A generic cancer code that is lung cancer only with a lung body site (fhir-model.md 6)."""
LUNG_TOPOGRAPHY = ValueSet(sct("39607008", "955009"), icdo3("C34"))

# --- extent: metastases, M stage, stage group -------------------------------------------------
# fhir-model.md 3.4 and CONVENTIONS.md "Sites, regions and organs". C77.0 and C77.1 (neck and
# intrathoracic lymph nodes) are regional (N) disease of a lung primary, not distant metastases,
# and C77.9 does not say which; they are not listed.
METASTASIS_ORGAN = CodeMap[Organ]([
    (sct("94225005") + icd10("C79.3"), Organ.BRAIN),
    (sct("94222008") + icd10("C79.5"), Organ.BONE),
    (sct("94381002") + icd10("C78.7"), Organ.LIVER),
    (sct("94161006") + icd10("C79.7"), Organ.ADRENAL),
    (icd10("C79.0"), Organ.KIDNEY),
    (sct("94579000") + icd10("C79.2"), Organ.SKIN),
    (icd10("C79.8"), Organ.SOFT_TISSUE),
    (sct("94391008") + icd10("C78.0"), Organ.LUNG),
    (sct("94493005") + icd10("C78.2"), Organ.PLEURA),
    (icd10("C78.1"), Organ.MEDIASTINUM),
    (icd10("C77.2", "C77.3", "C77.4", "C77.5", "C77.8"), Organ.LYMPH_NODE),
    (icd10("C79.4"), Organ.NERVOUS_SYSTEM),
    (sct("128462008") + icd10("C78.3", "C78.4", "C78.5", "C78.6", "C78.8", "C79.1", "C79.6", "C79.9"),
     Organ.OTHER),
])
METASTASIS_SITE_FROM_BODY_SITE = ValueSet(sct("128462008"), icd10("C79.8", "C79.9"))
"""Codes whose organ is read from `bodySite` when it names one (mCODE secondary cancer condition)."""

# Condition codes that state stage IV themselves (fhir-model.md 3.2), and extensive-stage SCLC,
# which is incurable by definition.
STAGE_IV_DISORDER = ValueSet(sct("423121009", "67841000119103", "683991000119103"))

# M category (fhir-model.md 3.6; LOINC codes deprecated in mCODE but allowed).
M_CATEGORY = ValueSet(sct("277208005", "399387003", "371497001"), loinc("21907-1", "21901-4", "21913-9"))
_AJCC_M1 = tuple(
    (AJCC, f"{prefix}{m}")
    for prefix in ("", "C", "P", "YC", "YP")
    for m in ("M1", "M1A", "M1B", "M1C", "M1C1", "M1C2")
)
M1 = ValueSet(
    sct("1229903009", "1229904003", "1229907005", "1229910003", "1229912006",
        "1229916009", "1229917000", "1229920008", "1229923005"),
    _AJCC_M1,
    sks("AZCD41"),  # SKS supplementary code cM1 (RKKP ValueSet-SKS_cTNM_cM)
)
# Stage group (fhir-model.md 3.6). LOINC 21908-9/21902-2 (clinical/pathological stage group,
# deprecated like the M category codes) [verify]. AJCC stage IV 1222837003 [verify].
STAGE_GROUP = ValueSet(sct("399537006", "399588009", "399390009"), loinc("21908-9", "21902-2"))
STAGE_IV = ValueSet(
    sct("1222837003"),
    tuple((AJCC, f"{prefix}{stage}") for prefix in ("", "C", "P", "YC", "YP", "STAGE")
          for stage in ("4", "4A", "4B", "4C", "IV", "IVA", "IVB", "IVC")),
)

# --- stated facts (CONVENTIONS.md "Reading facts that no standard encodes") ---------------------
OLIGOMETASTATIC = ValueSet(concept("oligometastatic-disease"))
OLIGOPROGRESSION = ValueSet(concept("oligoprogression"))
NOT_CURABLE = ValueSet(concept("not-curable"))
SOFT_TISSUE_COMPONENT = ValueSet(concept("soft-tissue-component"))
SPINAL_CORD_INVOLVEMENT = ValueSet(concept("spinal-cord-involvement"))
BRAIN_METASTASECTOMY = ValueSet(concept("brain-metastasectomy"))
STEREOTACTIC = ValueSet(concept("stereotactic"))

# --- complications and symptoms ---------------------------------------------------------------
# fhir-model.md 3.5 (SNOMED 71286001 and 63363004 [verify]); CONVENTIONS.md for fracture and pain.
MSCC = ValueSet(sct("71286001"), icd10("G95.2", "G99.2"))
SVC_SYNDROME = ValueSet(sct("63363004"), icd10("I87.1"))
PATHOLOGICAL_FRACTURE = ValueSet(sct("268029009"), icd10("M84.4", "M84.5"))
# fhir-model.md 3.5 and 6; pain, headache and seizure from CONVENTIONS.md.
SYMPTOM = CodeMap[SymptomKind]([
    (sct("66857006") + icd10("R04.2"), SymptomKind.HEMOPTYSIS),
    (sct("49727002") + icd10("R05"), SymptomKind.COUGH),
    (sct("267036007") + icd10("R06.0"), SymptomKind.DYSPNEA),
    (sct("29857009") + icd10("R07.1", "R07.2", "R07.3", "R07.4", "R07.8", "R07.9"),
     SymptomKind.THORACIC_PAIN),
    (sct("22253000", "12584003") + icd10("R52", "G89.3"), SymptomKind.PAIN),
    (sct("25064002") + icd10("R51"), SymptomKind.HEADACHE),
    (sct("91175000") + icd10("R56"), SymptomKind.SEIZURE),
])
# Answers that say a coded finding is absent (LOINC answer lists LL2021-2 present/absent,
# LL361-7 yes/no; SNOMED qualifiers; HL7 v3 interpretation).
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ABSENT = ValueSet(loinc("LA9634-2", "LA32-8"), sct("2667000", "373067005", "260385009"),
                  ((V3_INTERPRETATION, "NEG"),))
POSITIVE = ValueSet(loinc("LA9633-4"), sct("10828004"), ((V3_INTERPRETATION, "POS"),))

# --- performance status (fhir-model.md 2) -----------------------------------------------------
ECOG_OBSERVATION = ValueSet(loinc("89247-1", "89262-0"), sct("423740007"))
KARNOFSKY_OBSERVATION = ValueSet(loinc("89243-0", "89245-5"), sct("761869008"))
ECOG_GRADE = CodeMap[int]([
    (loinc("LA9622-7"), 0), (loinc("LA9623-5"), 1), (loinc("LA9624-3"), 2),
    (loinc("LA9625-0"), 3), (loinc("LA9626-8"), 4), (loinc("LA9627-6"), 5),
    (sct("425389002", "373803006"), 0), (sct("422512005", "373804000"), 1),
    (sct("422894000", "373805004"), 2), (sct("423053003", "373806003"), 3),
    (sct("423237006", "373807007"), 4),
    *((((RKKP_PERFORMANCE_STATUS, f"grade_{grade}"),), grade) for grade in range(6)),
])
ECOG_GRADE_FINDING = ValueSet(sct("425389002", "422512005", "422894000", "423053003", "423237006",
                                  "373803006", "373804000", "373805004", "373806003", "373807007"))
"""SNOMED ECOG/WHO grade findings, which may stand as the Observation code itself."""
KARNOFSKY_SCORE = CodeMap[int]([
    (loinc(code), score) for code, score in (
        ("LA29175-9", 100), ("LA29176-7", 90), ("LA29177-5", 80), ("LA29178-3", 70),
        ("LA29179-1", 60), ("LA29180-9", 50), ("LA29181-7", 40), ("LA29182-5", 30),
        ("LA29183-3", 20), ("LA29184-1", 10), ("LA9627-6", 0),
    )
])

# --- survival estimate (issue: LOINC 75328-5 "Prognosis") --------------------------------------
SURVIVAL_ESTIMATE = ValueSet(loinc("75328-5"))

# --- drivers (fhir-model.md 4) ----------------------------------------------------------------
GENOMIC_VARIANT = ValueSet(loinc("69548-6"))
GENE_STUDIED = ValueSet(loinc("48018-6"))
PROTEIN_CHANGE = ValueSet(loinc("48005-3"))
DNA_CHANGE = ValueSet(loinc("48004-6"))
# HGNC ids of the driver genes (HGNC; EGFR/ALK/ROS1 from fhir-model.md 4, the others as in
# tests/fhir.py and public HGNC tables).
GENE = CodeMap[str]([
    (((HGNC, hgnc_id),), symbol) for hgnc_id, symbol in (
        ("3236", "EGFR"), ("427", "ALK"), ("10261", "ROS1"), ("9967", "RET"), ("7029", "MET"),
        ("1097", "BRAF"), ("8031", "NTRK1"), ("8032", "NTRK2"), ("8033", "NTRK3"),
        ("6407", "KRAS"), ("3430", "ERBB2"),
    )
])
# Driver-defined NSCLC disorders (fhir-model.md 3.2). 426964009 "EGFR expression positive" is
# protein expression, not an oncogenic driver, and is not read as one.
DRIVER_DISORDER = CodeMap[str]([
    (sct("703228009"), "EGFR"), (sct("830151004"), "ALK"), (sct("722425009"), "ROS1"),
])

# --- systemic therapy (fhir-model.md 6; WHO ATC index: L01E/L01F since 2022, L01XE/L01XC before) --
THERAPY_CLASS = CodeMap[TherapyClass]([
    (atc("L01"), TherapyClass.CHEMOTHERAPY),  # antineoplastics not listed below
    (atc("L01E", "L01XE"), TherapyClass.TARGETED),  # protein kinase inhibitors
    (atc("L01F", "L01XC"), TherapyClass.TARGETED),  # monoclonal antibodies
    # PD-1/PD-L1 and CTLA-4 checkpoint inhibitors (ATC 2022+, and their pre-2022 L01XC codes)
    (atc("L01FF", "L01FX04", "L01FX20", "L01XC11", "L01XC17", "L01XC18", "L01XC28", "L01XC31",
         "L01XC32", "L01XC33"), TherapyClass.IMMUNOTHERAPY),
    # RxNorm ingredient RXCUIs found in public drug tables (cpicpgx/cpic-schema drug.sql, a pediatric
    # oncology data dictionary); the clinical drugs of the mCODE examples (fhir-model.md 6).
    # cisplatin, carboplatin, etoposide, gemcitabine, vinorelbine; cisplatin 1 mg/mL
    (rxnorm("2555", "40048", "4179", "12574", "39541", "309311"), TherapyClass.CHEMOTHERAPY),
    # dabrafenib, cetuximab, alectinib; gefitinib 250 mg tablet
    (rxnorm("1424911", "318341", "1727455", "349472"), TherapyClass.TARGETED),
    (rxnorm("1547545", "1597876"), TherapyClass.IMMUNOTHERAPY),  # pembrolizumab, nivolumab
])
CORTICOSTEROID = ValueSet(
    atc("H02AB"),  # systemic glucocorticoids: dexamethasone H02AB02, prednisolone H02AB06, ...
    # RxNorm ingredients dexamethasone, prednisolone, prednisone, methylprednisolone (public drug tables)
    rxnorm("3264", "8638", "8640", "6902"),
)

# --- radiotherapy (fhir-model.md 1.1, 1.6, 6) --------------------------------------------------
RT_COURSE = ValueSet(sct("1217123003", "1287742003", "108290001"), sks("BWG"))
"""Codes (in `code` or `category`) of a radiotherapy course or order; SKS BWG* "Strålebehandling"."""
INTENT = CodeMap[Intent]([
    (sct("363676003"), Intent.PALLIATIVE), (sct("373808002"), Intent.CURATIVE),
    (sct("129428001"), Intent.PREVENTIVE), (sct("399707004"), Intent.SUPPORTIVE),
])
NO_RESPONSE = ValueSet(sct("266721009"))
WHOLE_OR_PARTIAL = CodeMap[bool]([(sct("255503000"), True), (sct("255609007"), False)])
SURGICAL_PROCEDURE = ValueSet(sct("387713003"))
BRAIN = ValueSet(sct("12738006"))

# --- sites (CONVENTIONS.md "Sites, regions and organs") ----------------------------------------
REGION = CodeMap[Region]([
    (sct("51185008", "39607008", "72410000", "78904004", "955009", "3120008"), Region.THORAX),
    (sct("122495006", "50800009"), Region.THORACIC_SPINE),
    (sct("122494005"), Region.CERVICAL_SPINE),
    (sct("122496007", "54735007"), Region.LUMBAR_SPINE),
    (sct("2748008"), Region.SPINAL_CORD),
    (sct("45048000"), Region.NECK),  # neck structure [verify: not in the conventions table]
    (sct("12738006"), Region.BRAIN),
    (sct("119186007", "71341001", "85050009", "118645006", "113197003"), Region.BONE),
    (sct("10200004"), Region.LIVER),
    (sct("23451007"), Region.ADRENAL),
    (sct("64033007"), Region.KIDNEY),
    (sct("39937001"), Region.SKIN),
    (sct("87784001"), Region.SOFT_TISSUE),
])
BODY_SITE_ORGAN = CodeMap[Organ]([
    (sct("39607008", "955009"), Organ.LUNG),
    (sct("3120008"), Organ.PLEURA),
    (sct("72410000"), Organ.MEDIASTINUM),
    (sct("122495006", "122494005", "122496007", "54735007", "119186007", "71341001", "85050009",
         "118645006", "113197003"), Organ.BONE),
    (sct("2748008", "50800009"), Organ.NERVOUS_SYSTEM),
    (sct("12738006"), Organ.BRAIN),
    (sct("10200004"), Organ.LIVER),
    (sct("23451007"), Organ.ADRENAL),
    (sct("64033007"), Organ.KIDNEY),
    (sct("39937001"), Organ.SKIN),
    (sct("87784001"), Organ.SOFT_TISSUE),
])

# --- what the service reads, for prefiltering and for the Observation search -------------------
CONDITION_CODES = union(
    LUNG_CANCER, MALIGNANT_NEOPLASM, METASTASIS_ORGAN, STAGE_IV_DISORDER, M1,
    OLIGOMETASTATIC, OLIGOPROGRESSION, NOT_CURABLE, SOFT_TISSUE_COMPONENT, SPINAL_CORD_INVOLVEMENT,
    MSCC, SVC_SYNDROME, PATHOLOGICAL_FRACTURE, SYMPTOM, DRIVER_DISORDER,
)
OBSERVATION_CODES = union(
    ECOG_OBSERVATION, KARNOFSKY_OBSERVATION, ECOG_GRADE_FINDING, SURVIVAL_ESTIMATE, M_CATEGORY,
    STAGE_GROUP, GENOMIC_VARIANT, OLIGOMETASTATIC, OLIGOPROGRESSION, NOT_CURABLE, SOFT_TISSUE_COMPONENT,
    SPINAL_CORD_INVOLVEMENT, MSCC, SVC_SYNDROME, PATHOLOGICAL_FRACTURE, SYMPTOM,
)
PROCEDURE_CODES = union(RT_COURSE, SURGICAL_PROCEDURE, BRAIN_METASTASECTOMY)
READ_CODES = {"Condition": CONDITION_CODES, "Observation": OBSERVATION_CODES, "Procedure": PROCEDURE_CODES}
"""Per resource type, every code any fact is read from: other resources are never validated."""


def _search_codes(value_set: ValueSet) -> tuple[str, ...]:
    tokens = (search_token(key) for key in value_set.keys())  # noqa: SIM118 (CodeMap is not a dict)
    return tuple(sorted({token for token in tokens if token is not None}))


OBSERVATION_SEARCH_CODES: tuple[str, ...] = _search_codes(OBSERVATION_CODES)
""""system|code" tokens for the Observation prefetch and fallback search (comma-joined)."""
