from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunSuiteRequest(_message.Message):
    __slots__ = ("tenant_id", "suite_name", "suite_file", "suite_format")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SUITE_NAME_FIELD_NUMBER: _ClassVar[int]
    SUITE_FILE_FIELD_NUMBER: _ClassVar[int]
    SUITE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    suite_name: str
    suite_file: bytes
    suite_format: str
    def __init__(self, tenant_id: _Optional[str] = ..., suite_name: _Optional[str] = ..., suite_file: _Optional[bytes] = ..., suite_format: _Optional[str] = ...) -> None: ...

class SuiteCaseResult(_message.Message):
    __slots__ = ("question", "answer_id", "cited_expected_document", "abstained_as_expected", "groundedness", "passed", "detail", "expected", "status", "outcome", "answer", "facts_present", "missing_facts", "hallucinated", "scored", "latency_ms", "input_tokens", "output_tokens")
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    CITED_EXPECTED_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    ABSTAINED_AS_EXPECTED_FIELD_NUMBER: _ClassVar[int]
    GROUNDEDNESS_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    FACTS_PRESENT_FIELD_NUMBER: _ClassVar[int]
    MISSING_FACTS_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATED_FIELD_NUMBER: _ClassVar[int]
    SCORED_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    question: str
    answer_id: str
    cited_expected_document: bool
    abstained_as_expected: bool
    groundedness: float
    passed: bool
    detail: str
    expected: str
    status: str
    outcome: str
    answer: str
    facts_present: bool
    missing_facts: _containers.RepeatedScalarFieldContainer[str]
    hallucinated: bool
    scored: bool
    latency_ms: float
    input_tokens: int
    output_tokens: int
    def __init__(self, question: _Optional[str] = ..., answer_id: _Optional[str] = ..., cited_expected_document: _Optional[bool] = ..., abstained_as_expected: _Optional[bool] = ..., groundedness: _Optional[float] = ..., passed: _Optional[bool] = ..., detail: _Optional[str] = ..., expected: _Optional[str] = ..., status: _Optional[str] = ..., outcome: _Optional[str] = ..., answer: _Optional[str] = ..., facts_present: _Optional[bool] = ..., missing_facts: _Optional[_Iterable[str]] = ..., hallucinated: _Optional[bool] = ..., scored: _Optional[bool] = ..., latency_ms: _Optional[float] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ...) -> None: ...

class SuiteResult(_message.Message):
    __slots__ = ("run_id", "suite_name", "cases", "passed", "results", "expected_answered", "right_answers", "expected_abstained", "abstained_correctly", "hallucination_flags")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SUITE_NAME_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ANSWERED_FIELD_NUMBER: _ClassVar[int]
    RIGHT_ANSWERS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ABSTAINED_FIELD_NUMBER: _ClassVar[int]
    ABSTAINED_CORRECTLY_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATION_FLAGS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    suite_name: str
    cases: int
    passed: int
    results: _containers.RepeatedCompositeFieldContainer[SuiteCaseResult]
    expected_answered: int
    right_answers: int
    expected_abstained: int
    abstained_correctly: int
    hallucination_flags: int
    def __init__(self, run_id: _Optional[str] = ..., suite_name: _Optional[str] = ..., cases: _Optional[int] = ..., passed: _Optional[int] = ..., results: _Optional[_Iterable[_Union[SuiteCaseResult, _Mapping]]] = ..., expected_answered: _Optional[int] = ..., right_answers: _Optional[int] = ..., expected_abstained: _Optional[int] = ..., abstained_correctly: _Optional[int] = ..., hallucination_flags: _Optional[int] = ...) -> None: ...

class GetAnswerScoreRequest(_message.Message):
    __slots__ = ("tenant_id", "answer_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    answer_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., answer_id: _Optional[str] = ...) -> None: ...

class ClaimScore(_message.Message):
    __slots__ = ("claim", "support", "supported", "unsupported_entities", "verdict", "evidence", "evidence_context", "reason")
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    UNSUPPORTED_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    claim: str
    support: float
    supported: bool
    unsupported_entities: _containers.RepeatedScalarFieldContainer[str]
    verdict: str
    evidence: str
    evidence_context: int
    reason: str
    def __init__(self, claim: _Optional[str] = ..., support: _Optional[float] = ..., supported: _Optional[bool] = ..., unsupported_entities: _Optional[_Iterable[str]] = ..., verdict: _Optional[str] = ..., evidence: _Optional[str] = ..., evidence_context: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ScoreAnswerRequest(_message.Message):
    __slots__ = ("tenant_id", "question", "answer", "contexts")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    CONTEXTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    question: str
    answer: str
    contexts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., question: _Optional[str] = ..., answer: _Optional[str] = ..., contexts: _Optional[_Iterable[str]] = ...) -> None: ...

class AnswerScore(_message.Message):
    __slots__ = ("answer_id", "groundedness", "hallucinated", "claims", "scorer", "scorer_version")
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    GROUNDEDNESS_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATED_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    SCORER_FIELD_NUMBER: _ClassVar[int]
    SCORER_VERSION_FIELD_NUMBER: _ClassVar[int]
    answer_id: str
    groundedness: float
    hallucinated: bool
    claims: _containers.RepeatedCompositeFieldContainer[ClaimScore]
    scorer: str
    scorer_version: str
    def __init__(self, answer_id: _Optional[str] = ..., groundedness: _Optional[float] = ..., hallucinated: _Optional[bool] = ..., claims: _Optional[_Iterable[_Union[ClaimScore, _Mapping]]] = ..., scorer: _Optional[str] = ..., scorer_version: _Optional[str] = ...) -> None: ...

class GetDriftStateRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class DriftState(_message.Message):
    __slots__ = ("reference_size", "current_size", "reference_hallucination_rate", "current_hallucination_rate", "tests", "drifting")
    REFERENCE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SIZE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_HALLUCINATION_RATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_HALLUCINATION_RATE_FIELD_NUMBER: _ClassVar[int]
    TESTS_FIELD_NUMBER: _ClassVar[int]
    DRIFTING_FIELD_NUMBER: _ClassVar[int]
    reference_size: int
    current_size: int
    reference_hallucination_rate: float
    current_hallucination_rate: float
    tests: _containers.RepeatedCompositeFieldContainer[DriftTest]
    drifting: bool
    def __init__(self, reference_size: _Optional[int] = ..., current_size: _Optional[int] = ..., reference_hallucination_rate: _Optional[float] = ..., current_hallucination_rate: _Optional[float] = ..., tests: _Optional[_Iterable[_Union[DriftTest, _Mapping]]] = ..., drifting: _Optional[bool] = ...) -> None: ...

class DriftTest(_message.Message):
    __slots__ = ("name", "metric", "statistic", "p_value", "threshold", "drifted")
    NAME_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    name: str
    metric: str
    statistic: float
    p_value: float
    threshold: float
    drifted: bool
    def __init__(self, name: _Optional[str] = ..., metric: _Optional[str] = ..., statistic: _Optional[float] = ..., p_value: _Optional[float] = ..., threshold: _Optional[float] = ..., drifted: _Optional[bool] = ...) -> None: ...
