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
    __slots__ = ("tenant_id", "signals", "drifting", "open_alerts")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNALS_FIELD_NUMBER: _ClassVar[int]
    DRIFTING_FIELD_NUMBER: _ClassVar[int]
    OPEN_ALERTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    signals: _containers.RepeatedCompositeFieldContainer[DriftSignal]
    drifting: bool
    open_alerts: _containers.RepeatedCompositeFieldContainer[DriftAlertRecord]
    def __init__(self, tenant_id: _Optional[str] = ..., signals: _Optional[_Iterable[_Union[DriftSignal, _Mapping]]] = ..., drifting: _Optional[bool] = ..., open_alerts: _Optional[_Iterable[_Union[DriftAlertRecord, _Mapping]]] = ...) -> None: ...

class DriftSignal(_message.Message):
    __slots__ = ("name", "phase", "direction", "reference", "current", "test", "statistic", "threshold", "observations")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    phase: str
    direction: str
    reference: float
    current: float
    test: str
    statistic: float
    threshold: float
    observations: int
    def __init__(self, name: _Optional[str] = ..., phase: _Optional[str] = ..., direction: _Optional[str] = ..., reference: _Optional[float] = ..., current: _Optional[float] = ..., test: _Optional[str] = ..., statistic: _Optional[float] = ..., threshold: _Optional[float] = ..., observations: _Optional[int] = ...) -> None: ...

class DriftAlertRecord(_message.Message):
    __slots__ = ("alert_id", "signal", "summary", "suggested_action", "raised_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_ACTION_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    signal: str
    summary: str
    suggested_action: str
    raised_at: str
    def __init__(self, alert_id: _Optional[str] = ..., signal: _Optional[str] = ..., summary: _Optional[str] = ..., suggested_action: _Optional[str] = ..., raised_at: _Optional[str] = ...) -> None: ...

class ResetDriftRequest(_message.Message):
    __slots__ = ("tenant_id", "relearn")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RELEARN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    relearn: bool
    def __init__(self, tenant_id: _Optional[str] = ..., relearn: _Optional[bool] = ...) -> None: ...

class ListReviewAnswersRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ReviewAnswer(_message.Message):
    __slots__ = ("answer_id", "rating", "comment", "has_score", "groundedness", "hallucinated")
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    HAS_SCORE_FIELD_NUMBER: _ClassVar[int]
    GROUNDEDNESS_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATED_FIELD_NUMBER: _ClassVar[int]
    answer_id: str
    rating: int
    comment: str
    has_score: bool
    groundedness: float
    hallucinated: bool
    def __init__(self, answer_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ..., has_score: _Optional[bool] = ..., groundedness: _Optional[float] = ..., hallucinated: _Optional[bool] = ...) -> None: ...

class ListReviewAnswersResponse(_message.Message):
    __slots__ = ("answers",)
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    answers: _containers.RepeatedCompositeFieldContainer[ReviewAnswer]
    def __init__(self, answers: _Optional[_Iterable[_Union[ReviewAnswer, _Mapping]]] = ...) -> None: ...

class GetKnowledgeGapsRequest(_message.Message):
    __slots__ = ("tenant_id", "max_questions")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    max_questions: int
    def __init__(self, tenant_id: _Optional[str] = ..., max_questions: _Optional[int] = ...) -> None: ...

class KnowledgeGap(_message.Message):
    __slots__ = ("questions", "examples")
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    questions: int
    examples: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, questions: _Optional[int] = ..., examples: _Optional[_Iterable[str]] = ...) -> None: ...

class KnowledgeGaps(_message.Message):
    __slots__ = ("questions", "gaps")
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    questions: int
    gaps: _containers.RepeatedCompositeFieldContainer[KnowledgeGap]
    def __init__(self, questions: _Optional[int] = ..., gaps: _Optional[_Iterable[_Union[KnowledgeGap, _Mapping]]] = ...) -> None: ...
