r"""Rules for prompt injection, in English and Chinese, written as patterns of intent.

Each rule describes a kind of attack (override the instructions, read the system prompt, take on
another persona, declare the rules void, switch the safeguards off, smuggle an encoded command) as
a verb of intent aimed at the assistant's own instructions, not as sample sentences. A single word
("ignore", "rules", "act as") never fires alone: it is common in real customer questions. The
rules run on every view of the text (see ``normalise``), so Chinese rules are written in
Simplified only and obfuscated spellings are already folded.

Pattern shorthand: ``~`` is any run of spaces or punctuation (also none, for joined spelled-out
letters); ``…`` allows up to four filler words.

The rules are compiled with RE2 (google-re2), not ``re``: RE2 matches in time linear in the text,
so a hostile 70,000-character input cannot make a rule backtrack, and on a 200-word question
the eight rules over every view take about 0.2 ms instead of 9 ms (make bench). The patterns use
only syntax both engines share; letters and digits are spelled ``\pL\pN`` because RE2's ``\w``
is ASCII only. RE2's ``\b`` is ASCII too, which also puts a boundary between a Chinese character
and an English word ("请ignore your rules").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import re2

from llmops_guardrails.domain.normalise import TextViews


class Match(Protocol):
    def group(self) -> str: ...


class Pattern(Protocol):
    def search(self, text: str) -> Match | None: ...


@dataclass(frozen=True)
class Rule:
    rule_id: str
    pattern: Pattern
    reason: str


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    view: int  # 0 is the normalised text; higher views are decoded payloads
    matched: str


# Unicode letter classes make large automata: RE2's default 8 MB per pattern runs out on the
# longest rules and falls back to a slower engine, so give each pattern 64 MB (allocated lazily).
_OPTIONS = re2.Options()
_OPTIONS.case_sensitive = False
_OPTIONS.max_mem = 64 << 20
_OPTIONS.never_capture = True


def _rule(rule_id: str, pattern: str, reason: str) -> Rule:
    expanded = pattern.replace("…", r"(?:[^\pL\pN]*[\pL\pN_']+){0,4}").replace("~", r"[^\pL\pN]*")
    return Rule(rule_id, re2.compile(expanded, _OPTIONS), reason)


# Words that point at the assistant's own instructions rather than at an order or a product.
_OWN = (
    r"(?:previous|prior|above|earlier|preceding|foregoing|initial|original|system|developer|your|all|any|these"
    r"|those|the|its|operator'?s?|developers'?)"
)
_INSTRUCTIONS = (
    r"(?:instructions?|rules?|guidelines?|directives?|prompts?|programming|guardrails?|restrictions?|constraints?"
    r"|polic(?:y|ies)|training|configuration|limitations?)"
)
# Bare "filter", "limits" or "rules" are products and account settings here (a water filter, a
# spending limit); only safeguards qualified as the assistant's count.
_SAFEGUARDS = (
    r"(?:(?:safety|content|moderation|ethical|ethics|security)~(?:filters?|guardrails?|restrictions?|safeguards?"
    r"|rules|polic(?:y|ies)|settings|guidelines|checks|limits)|guardrails?|safeguards?|censorship|alignment"
    r"|your~(?:rules|restrictions|limits|limitations|guidelines|programming|polic(?:y|ies)|filters?|training))"
)
_ZH_OWN = (
    r"(?:你的|您的|之前|以前|先前|上面|以上|前面|上述|所有|全部|一切|系统|原来|原有|原始|初始|既定|开发者"
    r"|运营方|运营者|平台)"
)
_ZH_INSTRUCTIONS = r"(?:指令|指示|规则|设定|提示词?|限制|约束|规定|命令|要求|准则|政策|安全策略|设置|程序)"
_ZH_SAFEGUARDS = (
    r"(?:(?:你的|所有的?|全部的?|一切)?(?:安全|内容|道德|伦理|审查)(?:限制|过滤|过滤器|审查|规则|防护|护栏|策略|约束|机制)"
    r"|你的(?:限制|规则|过滤|审查|护栏|约束)|审查机制|过滤器|护栏)"
)

RULES: tuple[Rule, ...] = (
    _rule(
        "injection.ignore_instructions",
        rf"\b(?:ignore|disregard|forget|override|overrule|discard|abandon|bypass|set~aside|throw~out"
        rf"|pay~no~attention~to|stop~following|(?:do~not|don'?t|never)~(?:follow|obey|adhere~to))\b"
        rf"…~\b{_OWN}\b…~\b{_INSTRUCTIONS}\b"
        # Spoken about the user in the third person, the order is for the assistant, not from a customer.
        rf"|\b(?:ignore|disregard)~(?:the~)?user(?:'?s)?~(?:request|question|message|instructions?|input)s?\b"
        rf"|(?:忽略|忽视|无视|忘记|忘掉|不要理会|不用理会|别管|不要管|抛开|抛弃|放弃|跳过|不要遵守|不再遵守|不必遵守|推翻|覆盖"
        rf"|停止遵守|停止遵循|停止执行|不再听从|不再遵循)"
        rf"(?:掉|了)?[^。，,.!?！？\n]{{0,6}}{_ZH_OWN}[^。，,.!?！？\n]{{0,8}}{_ZH_INSTRUCTIONS}"
        rf"|(?:忽略|忽视|无视|不要理会|不用理会)(?:掉|了)?(?:用户|使用者|顾客|客户)的?(?:请求|问题|要求|消息|指令)",
        "The question asks the assistant to ignore its instructions.",
    ),
    _rule(
        "injection.system_prompt",
        r"\b(?:reveal|show|print|repeat|output|display|leak|dump|share|disclose|recite|echo|tell~me|give~me"
        r"|what~(?:is|are|was|were)|copy|write~out|spell~out|translate)\b…~"
        r"\b(?:system|hidden|initial|secret|internal|developer|pre-?prompt|confidential)~"
        r"(?:prompts?|instructions?|messages?|rules|configuration|guidelines)\b"
        r"|\b(?:repeat|print|output|show|reveal)\b…~\b(?:everything|all|the~(?:text|words|lines))~"
        r"(?:above|before~this|so~far|you~were~(?:told|given))"
        r"|\b(?:your|the)~(?:system|initial|hidden)~prompt\b"
        r"|\b(?:output|print|show|reveal|repeat|dump|list|paste)\b…~\b(?:the~)?(?:full~|entire~|whole~)?"
        r"(?:conversation~history|chat~history|context~window|your~context|api~keys?|secrets|credentials|hidden~preamble)\b"
        r"|\b(?:output|print|show|reveal|repeat)\b…~<~/?~system~>"
        r"|(?:告诉|透露|泄露|显示|展示|输出|打印|重复|复述|说出|给我看|列出|翻译|写出|公开|发给我|提供|交出)[^。，,.!?！？\n]{0,8}"
        r"(?:系统|隐藏|初始|原始|内部|秘密|开发者|全部|完整)[^。，,.!?！？\n]{0,3}(?:提示词?|指令|指示|设定|prompt|规则|消息)"
        r"|(?:系统|初始|隐藏)(?:提示词?|prompt)(?:是什么|内容)"
        r"|(?:初始|隐藏|系统|内部|原始)(?:的)?(?:设定|指令|提示词?)[^。！？!?\n]{0,12}(?:打印|输出|显示|告诉|发给|贴出|列出|复述|重复)"
        r"|(?:对话|会话|聊天)(?:开始)?(?:之前|以前)(?:你)?(?:收到|得到|接收|被给予)的"
        # The 把 construction puts the object first: "把你的…提示词…列出来".
        r"|把你(?:的|收到的)[^。！？!?\n]{0,20}(?:提示词|系统提示|设定|指令|配置|密钥|内部指示)[^。！？!?\n]{0,12}"
        r"(?:列出|告诉|发给|输出|打印|贴出|复述|重复|给我|交出)"
        r"|(?:之前|以前|前面)(?:你)?(?:收到|得到|接收|被给予)的(?:那段话|那段|话|内容|文字|指令|消息)",
        "The question tries to read or change the assistant's system prompt.",
    ),
    _rule(
        "injection.role_override",
        r"\b(?:you~are~no~longer|you're~no~longer|(?:updating|changing|switching|setting|resetting)~your~"
        r"(?:role|persona|instructions|rules|permissions|mode|programming)|you~are~now|you're~now|from~now~on~you|from~this~point~(?:on|forward)~you|you~will~now~(?:be|act|play)"
        r"|pretend~(?:to~be|you~are|you're|that~you)|roleplay~as|role-play~as|simulate~being)\b"
        r"|\b(?:act|behave|respond|answer|reply)~as~(?:if~you~(?:are|were)~)?(?:an?~)?…~"
        r"\b(?:ai|assistant|model|chatbot|bot|llm|persona|character|gpt|hacker|villain)\b"
        r"|\b(?:god|dan|jailbreak|jailbroken|unrestricted|evil|unfiltered)~mode\b"
        # Gadgets have developer and admin modes too; only the assistant's own counts.
        r"|\b(?:you|your|assistant|ai|chatgpt|model)\b…~\b(?:developer|debug|admin|sudo)~mode\b"
        r"|\b(?:unfiltered|unrestricted|uncensored|jailbroken|evil|amoral)~(?:ai|assistant|model|chatbot|bot|llm)\b"
        r"|\bjailbr(?:eak|oken)\b|\bDo~Anything~Now\b|\b(?:as|you~are|you're|called|named)~DAN\b"
        # A second persona for the answers ("answer twice: once as X, who ignores every rule").
        r"|\b(?:twice|two~(?:answers|responses|replies|versions)|once~as|both~as)\b[^.?!。？！\n]{0,100}\b(?:who|which|that)~"
        r"(?:ignores|disregards|breaks|bypasses|has~no|follows~no)~(?:(?:every|all|any|the|of)~)*(?:rules?|instructions?"
        r"|restrictions?|guidelines?|filters?|limits?)\b"
        # A game or role play set up, then a persona handed to the assistant.
        r"|\b(?:let'?s|let~us|we(?:'ll|~will)?)~(?:play|do)~(?:a~)?(?:game|role~?-?play)\b[^\n]{0,80}?\byou~(?:are|'re|will~be)\b"
        r"|(?:你现在是|你现在扮演|从现在(?:开始|起)[，,]?你|假装你是|假装自己是|假设你是|想象你是|你将扮演|请扮演|扮演一个|你不再是)"
        r"|(?:角色扮演|玩(?:一)?个?(?:游戏|角色))[^\n]{0,12}?你(?:现在)?(?:是|叫|就是|扮演|来当)"
        r"|(?:开发者|上帝|越狱|调试|无限制|管理员)模式|越狱",
        "The question tries to give the assistant a different role.",
    ),
    _rule(
        "injection.rules_void",
        # "The return policy doesn't apply to sale items" is a real question: the rules must be the
        # assistant's, or void for it.
        rf"\b(?:your|any|all|these|those|usual|normal|standard|old|safety|content|ethical)~{_INSTRUCTIONS}\b…~"
        r"\b(?:don'?t|do~not|does~not|doesn'?t|no~longer|won'?t|will~not|never|cease~to)~"
        r"(?:apply|matter|exist|count|bind|restrict|limit|hold)\b"
        rf"|\b{_INSTRUCTIONS}\b…~(?:don'?t|do~not|no~longer|doesn'?t|does~not)~(?:apply|matter|exist)~"
        r"(?:to~you|for~you|here|(?:to|in|for)~this~(?:chat|conversation|session))\b"
        rf"|\b{_INSTRUCTIONS}~(?:are|is)~(?:now~|hereby~|temporarily~)?(?:suspended|lifted|waived|void|null|revoked"
        r"|disabled|switched~off|turned~off|deactivated)\b"
        r"|\byou~(?:are|'re|will~be)~(?:now~)?(?:free|freed|released|liberated|unbound|unrestricted|unfiltered"
        r"|uncensored|unchained|unleashed)\b"
        r"|\b(?:not|no~longer|never)~(?:bound|restricted|limited|constrained|governed)~by\b"
        r"|\b(?:answer|respond|reply|talk|speak|write|act|behave|operate|chat|output|say)\b…~"
        r"\b(?:without|with~no|free~(?:of|from))~(?:any~)?(?:ethical~|moral~|content~|safety~)?"
        r"(?:restrictions|limits|limitations|filters|filtering|censorship|rules|guidelines|boundaries|constraints"
        r"|safeguards|morals|ethics)\b"
        r"|\b(?:you~(?:have|had|got)|if~you~(?:had|have))~no~(?:rules|restrictions|limits|limitations|filters|guidelines|boundaries)\b"
        rf"|\b{_INSTRUCTIONS}~you~(?:were|have~been|got)~given\b…~\b(?:withdrawn|revoked|cancell?ed|void|obsolete|expired"
        r"|replaced|superseded|retired|no~longer~valid)\b"
        r"|\byour~(?:only|one|new|sole)~(?:rule|instruction|job|task|duty|directive)~(?:now~)?is~to~(?:obey|follow|do~what)\b"
        r"|(?:你(?:现在)?(?:唯一|新)的(?:规则|任务|指令|职责)是(?:服从|听从|照我说的))"
        r"|你[^。，,.!?！？\n]{0,4}(?:没有|不受|不再受|摆脱了?|脱离了?)(?:任何|一切)?的?(?:规则|限制|约束|审查|过滤|道德|伦理)"
        r"|(?:规则|规定|限制|约束|准则|政策|指令|设定)(?:对你)?(?:已经|都|全部|统统)?(?:不再|不|没有|失去)(?:适用|存在|有效|重要|作用|效力|约束)"
        r"|你(?:已经|现在)?(?:不再|不|无需|不用|不必)(?:受|被)?(?:任何)?(?:规则|规定|限制|约束|准则|政策|审查)"
        r"|(?:不受|没有|无|摆脱|脱离)(?:任何)?(?:的)?(?:规则|限制|约束|审查|过滤|道德|伦理)(?:限制|约束)?(?:的)?"
        r"(?:AI|助手|模型|模式|机器人|回答|回复|地)"
        r"|(?:对话|会话|聊天)(?:都|也)?(?:不受|不必受|无需受|不用受)(?:任何)?(?:规则|规定|限制|约束|政策)"
        r"|(?:之前|以前|先前|原来|原有|所有|你的)的?(?:规则|规定|指令|设定|限制|指示)(?:都|全部|统统|一律)?"
        r"(?:不算数|不算|作废|无效|失效|不适用|不再适用)",
        "The question tells the assistant its rules no longer apply.",
    ),
    _rule(
        "injection.policy_bypass",
        rf"\b(?:bypass|circumvent|get~around|work~around|evade|disable|turn~off|switch~off|deactivate|remove"
        rf"|lift|suspend|break~(?:out~of|free~of)|escape)\b…~\b{_SAFEGUARDS}\b"
        rf"|(?:绕过|绕开|规避|避开|关闭|关掉|解除|突破|取消|禁用|去掉|移除|打破)(?:了)?[^。，,.!?！？\n]{{0,6}}{_ZH_SAFEGUARDS}",
        "The question asks the assistant to switch off its safeguards.",
    ),
    _rule(
        "injection.fake_system_message",
        # Text dressed up as a message from the system or operator, which a model may obey.
        r"(?:^|[\n\[<#(（「“\"*])~(?:new~|important~|urgent~)?(?:system|admin|administrator|developer|operator)~"
        r"(?:message|prompt|update|notice|note|override|instructions?|command)s?\b"
        r"|</?~(?:system|sys|im_start|im_end)\b|\[/?(?:system|INST)\]|(?:^|\n)~system~:"
        r"|\b(?:system|admin)~(?:note|message|notice|update|override)~to~the~(?:assistant|model|summari[sz]er|ai|bot)\b"
        r"|\b(?:instructions?|notes?|messages?|commands?|orders?)~(?:for|to)~(?:the~|any~)?(?:ai|assistant|model|bot|chatbot"
        r"|llm|language~model)s?\b~(?:reading~this~)?[:：]"
        r"|(?:系统|管理员|开发者)(?:提示|更新|消息|通知|指令|公告|说明)[：:]"
        r"|[【\[（(]\s*(?:系统|管理员|开发者)(?:提示|更新|消息|通知|指令|公告|说明)\s*[】\]）)]"
        r"|\b(?:any|every|all|each)~(?:ai|language~models?|assistants?|bots?|llms?|chatbots?|models?)~"
        r"(?:reading|that~reads?|who~reads?|processing|seeing)~this\b"
        r"|(?:任何|所有|每个)(?:AI|人工智能|语言模型|模型|助手|机器人)[^。，,]{0,6}(?:读到|看到|读取|处理)(?:本|这|此)"
        r"|(?:给|致|对|写给)(?:AI|人工智能|智能|客服机器人|机器人|模型|助手|语言模型)(?:助手|助理|客服)?的?(?:指令|指示|命令|消息|提示|说明|备注)[：:]",
        "The text poses as a message from the system to change the assistant's behaviour.",
    ),
    _rule(
        "injection.standing_order",
        # An instruction planted for every later answer ("from now on, append ...").
        r"\b(?:from~now~on|for~the~rest~of~(?:this|the|our)~(?:chat|conversation|session)|in~(?:all|every)~"
        r"(?:future|later)~(?:answers?|replies|responses))\b~(?:you~)?(?:will~|must~|should~|shall~)?(?:always~)?"
        r"(?:append|add|include|insert|end|start|begin|prefix|suffix|sign|recommend|mention|promote|link)\b"
        r"|\b(?:append|add|include|insert)\b…~\bto~(?:every|each|all|any)~(?:answer|reply|response|message)s?\b"
        r"|(?:以后|之后|接下来)(?:的)?(?:每个|每条|所有|每次)(?:回答|回复|消息)(?:都|末尾|结尾|后面)?(?:要|请|必须)?(?:加上|附上|添加|带上)",
        "The question plants an instruction for every later answer.",
    ),
    _rule(
        "injection.encoded_instruction",
        r"\b(?:decode|decrypt|translate|convert|read)\b…~\b(?:base~?64|rot~?13|hex|binary|cipher|encoded)\b…~"
        r"\b(?:follow|execute|obey|do~(?:what|as)~it~says|carry~out|perform|run|act~on)\b"
        r"|(?:解码|解密|翻译|转换)[^。!?！？\n]{0,12}(?:然后|并|再|之后)[^。!?！？\n]{0,4}(?:执行|照做|遵守|按照|运行|服从)",
        "The question hides an instruction in an encoding and asks the assistant to follow it.",
    ),
)


def matching_rules(text_views: TextViews) -> list[RuleHit]:
    """First hit of each rule over the views, in rule order."""
    hits: list[RuleHit] = []
    for rule in RULES:
        for index, view in enumerate(text_views.all):
            match = rule.pattern.search(view)
            if match is not None:
                hits.append(RuleHit(rule, index, match.group()))
                break
    return hits
