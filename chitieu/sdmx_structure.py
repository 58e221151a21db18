"""The SDMX structure behind ``chitieu.exports.to_sdmx_csv``: codelists, concepts, DSD, dataflow.

An SDMX reader (sdmx1, pysdmx, .Stat Suite) needs the data structure definition
to read SDMX-CSV; this writes it as an SDMX-ML 2.1 structure message, plain
XML with no library. Identifiers match the CSV: agency ``VN_CHITIEU``, dataflow
``DF_GENDER_EQUALITY`` 1.0, dimensions FREQ, REF_AREA, INDICATOR, SEX,
TIME_PERIOD; measure OBS_VALUE; attributes UNIT_MEASURE, UNIT_MULT, OBS_STATUS,
COMMENT_OBS.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from chitieu.exports import sdmx_id, sdmx_unit
from chitieu.plan import Plan

AGENCY, VERSION = "VN_CHITIEU", "1.0"
DATAFLOW, DSD, CONCEPTS = "DF_GENDER_EQUALITY", "DSD_GENDER_EQUALITY", "CS_GENDER_EQUALITY"

_NS = (
    'xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"'
)

FREQ = {"A": "Năm", "S": "6 tháng", "Q": "Quý", "M": "Tháng"}
SEX = {"F": "Nữ", "M": "Nam", "_T": "Chung"}
OBS_STATUS = {"A": "Giá trị thông thường (đã phê duyệt)", "P": "Số liệu tạm thời"}
UNIT_MEASURE = {
    "PT": "Phần trăm",
    "PER_1000": "Trên 1.000",
    "PER_100": "Trên 100",
    "PER_100000": "Trên 100.000",
    "RATIO": "Lần",
    "NUMBER": "Số lượng",
}
CONCEPT_NAMES = {
    "FREQ": "Tần suất",
    "REF_AREA": "Đơn vị",
    "INDICATOR": "Chỉ tiêu",
    "SEX": "Giới tính",
    "TIME_PERIOD": "Kỳ",
    "OBS_VALUE": "Giá trị",
    "UNIT_MEASURE": "Đơn vị tính",
    "UNIT_MULT": "Hệ số nhân",
    "OBS_STATUS": "Tình trạng số liệu",
    "COMMENT_OBS": "Ghi chú",
}
DIMENSIONS = (("FREQ", "CL_FREQ"), ("REF_AREA", "CL_AREA"), ("INDICATOR", "CL_INDICATOR"), ("SEX", "CL_SEX"))
ATTRIBUTES = (("UNIT_MEASURE", "CL_UNIT_MEASURE"), ("UNIT_MULT", None), ("OBS_STATUS", "CL_OBS_STATUS"))


def _name(text: str) -> str:
    return f'<com:Name xml:lang="vi">{escape(text)}</com:Name>'


def _codelist(identifier: str, name: str, codes: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f"<str:Code id={quoteattr(code)}>{_name(label or code)}</str:Code>" for code, label in codes
    )
    head = f'<str:Codelist id="{identifier}" agencyID="{AGENCY}" version="{VERSION}">'
    return f"{head}{_name(name)}{items}</str:Codelist>"


def _concept_ref(concept: str) -> str:
    return (
        f'<str:ConceptIdentity><Ref id="{concept}" maintainableParentID="{CONCEPTS}" '
        f'maintainableParentVersion="{VERSION}" agencyID="{AGENCY}" class="Concept" package="conceptscheme"/>'
        "</str:ConceptIdentity>"
    )


def _enumeration(codelist: str | None, text_type: str = "String") -> str:
    if codelist is None:
        return f'<str:LocalRepresentation><str:TextFormat textType="{text_type}"/></str:LocalRepresentation>'
    ref = (
        f'<Ref id="{codelist}" version="{VERSION}" agencyID="{AGENCY}" class="Codelist" package="codelist"/>'
    )
    return f"<str:LocalRepresentation><str:Enumeration>{ref}</str:Enumeration></str:LocalRepresentation>"


def _unit_measures(plan: Plan) -> list[tuple[str, str]]:
    codes = dict(UNIT_MEASURE)
    for indicator in plan.indicators:
        code, _mult = sdmx_unit(indicator)
        codes.setdefault(code, f"Trên {indicator.per or 1}")
    return sorted(codes.items())


def sdmx_structure(plan: Plan, units: Iterable[tuple[str, str]], *, prepared: datetime | None = None) -> str:
    """The SDMX-ML 2.1 structure message for the plan's SDMX-CSV: ``units`` are (code, name) pairs."""
    when = (prepared or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    indicators = [(sdmx_id(i.code), f"{i.code}. {i.name}") for i in plan.indicators]
    codelists = "".join(
        (
            _codelist("CL_FREQ", "Tần suất", FREQ.items()),
            _codelist("CL_AREA", "Đơn vị", sorted(dict(units).items())),
            _codelist("CL_INDICATOR", "Chỉ tiêu", indicators),
            _codelist("CL_SEX", "Giới tính", SEX.items()),
            _codelist("CL_UNIT_MEASURE", "Đơn vị tính", _unit_measures(plan)),
            _codelist("CL_OBS_STATUS", "Tình trạng số liệu", OBS_STATUS.items()),
        )
    )
    concepts = "".join(f'<str:Concept id="{c}">{_name(n)}</str:Concept>' for c, n in CONCEPT_NAMES.items())
    dimensions = "".join(
        f'<str:Dimension id="{c}" position="{p}">{_concept_ref(c)}{_enumeration(cl)}</str:Dimension>'
        for p, (c, cl) in enumerate(DIMENSIONS, start=1)
    )
    dimensions += (
        f'<str:TimeDimension id="TIME_PERIOD" position="{len(DIMENSIONS) + 1}">{_concept_ref("TIME_PERIOD")}'
        f"{_enumeration(None, 'ObservationalTimePeriod')}</str:TimeDimension>"
    )
    relation = "<str:AttributeRelationship><str:PrimaryMeasure>OBS_VALUE</str:PrimaryMeasure>"
    relation += "</str:AttributeRelationship>"
    attributes = "".join(
        f'<str:Attribute id="{c}" assignmentStatus="Conditional">'
        f"{_concept_ref(c)}{_enumeration(cl)}{relation}</str:Attribute>"
        for c, cl in (*ATTRIBUTES, ("COMMENT_OBS", None))
    )
    dsd_ref = f'<Ref id="{DSD}" version="{VERSION}" agencyID="{AGENCY}" '
    dsd_ref += 'class="DataStructure" package="datastructure"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<mes:Structure {_NS}>"
        f"<mes:Header><mes:ID>CHITIEU_STRUCTURE</mes:ID><mes:Test>false</mes:Test>"
        f'<mes:Prepared>{when}</mes:Prepared><mes:Sender id="{AGENCY}"/></mes:Header>'
        "<mes:Structures>"
        f'<str:Dataflows><str:Dataflow id="{DATAFLOW}" agencyID="{AGENCY}" version="{VERSION}">'
        f"{_name('Kết quả thực hiện các chỉ tiêu bình đẳng giới')}<str:Structure>{dsd_ref}</str:Structure>"
        "</str:Dataflow></str:Dataflows>"
        f"<str:Codelists>{codelists}</str:Codelists>"
        f'<str:Concepts><str:ConceptScheme id="{CONCEPTS}" agencyID="{AGENCY}" version="{VERSION}">'
        f"{_name('Khái niệm')}{concepts}</str:ConceptScheme></str:Concepts>"
        f'<str:DataStructures><str:DataStructure id="{DSD}" agencyID="{AGENCY}" version="{VERSION}">'
        f"{_name('Chỉ tiêu bình đẳng giới')}<str:DataStructureComponents>"
        f'<str:DimensionList id="DimensionDescriptor">{dimensions}</str:DimensionList>'
        f'<str:AttributeList id="AttributeDescriptor">{attributes}</str:AttributeList>'
        '<str:MeasureList id="MeasureDescriptor"><str:PrimaryMeasure id="OBS_VALUE">'
        f"{_concept_ref('OBS_VALUE')}</str:PrimaryMeasure></str:MeasureList>"
        "</str:DataStructureComponents></str:DataStructure></str:DataStructures>"
        "</mes:Structures></mes:Structure>\n"
    )
