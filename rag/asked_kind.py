"""The grounding rule for answers that do not give the kind of thing asked: a question asking a
date answered with no date ("闭幕时间是上午9时", "今天正式开售"), one asking a figure answered with
no figure ("主桥预计在今年上半年完成合龙" for "主桥多长").

Asked why ("为什么…下降？", "是什么原因？"), an answer that gives no cause or purpose (因为, 由于, 受…影响,
为了…) restates the fact and is none either. Asked why something is proposed ("为什么建议设立…"), the
problem it answers ("…难以满足…，存在突出的立案难问题") is its reason.

Such an answer reads as an answer and is none. It becomes the explicit form, quoting what the
cited passage does say: "资料中没有写明问题所问的日期；资料给出的最接近的是：…[1]。", counted as
declining; with nothing cited, the question is taken as not answered by the articles. When the
cited sentence itself gives the asked date and names nearly all the question's words, the model
restated it without its date, and that sentence is the answer ("资料中与问题对应的原文：…[1]。").

Asked who holds a role (导演, 编剧, 主演, 演唱, 出品方…), the cited sentence must say the role: "《漫长的
季节》的导演是秦昊[1]" citing "在秦昊看来，《漫长的季节》有悬疑元素…" names him, not as director.
Asked who holds a post (负责人, 分管领导, 总经理… "叫什么名字"), the answer must name someone, and
someone the cited sentence names. The party behind a report or an event (出品方, 主办方…) is a role
too: "…记者获得的一份评测报告显示…" says nothing of who produced the report. Asked by 哪位, the answer
must name someone too. Asked the name of a company's thing ("腾讯…那个产品叫什么"), a name the passages
say only beside other companies ("科大讯飞在发布…讯飞星火认知大模型时") is theirs.

Asked how a set the question counts divides ("分了三个阶段，具体是怎么划分的"), an answer saying the
count again ("经历了三个阶段") and listing none of it gives none of what was asked.

The date must also be the cited sentence's: "卢五星在2018年5月上任[1]" citing a sentence about him
that names no date (2018年5月 is when the bureau he heads was set up, elsewhere in the article)
gives no date the articles give for what was asked. Asked when something befell a thing named after
the question word ("是哪一年投的寒武纪"), cited sentences that never name it date another event
("2017年，…中科院创投正式成立"), when the passages name it elsewhere.

Asked which or who, an answer in the question's own words ("…中国企业单家排第一的是中国" for "…是哪家")
names nothing.

Only one-part questions are held to this: "哪年发行的？发了多少张？" answered in one part is a
partial answer, which says more than a refusal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import compact, normalize, overlap, split_sentences, strip_markers, terms
from rag.answer_edits import rebound, say_what_is_missing
from rag.answer_in_hand import MIN_COVERAGE
from rag.binding import stated_figures
from rag.citations import inline_quote
from rag.constraints import Constraints
from rag.evidence import question_terms
from rag.figure_kinds import asked_unit, figure_kind_of
from rag.names import SAYS, company_names, person_names, place_names, proper_names
from rag.points import asks_points
from rag.questions import date_pattern, split_question
from rag.records import Citation, Passage

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared

NOTICE_DATE_QUOTED = "生成模型的回答没有给出问题所问的日期；它所依据的原句写明了日期，以上为原句摘录。"
NOTICE_NOT_GIVEN = "生成模型的回答没有给出问题所问的日期、数字、原因、角色或姓名，以上给出资料中最接近的原句，请自行判断。"
# "第几次", "哪几家", "几月几日" ask an ordinal, a list or a date, not a figure
# counts index.text leaves in words, with their measure words: "已经有一艘滚装船". Only here, where a
# count is asked: in index.text, a model's "是一款…产品" (a product) became the figure 1, which no article
# states, and "六部门" the figure 6: replayed answers were declined for inventing them
_COUNT_IN_WORDS = re.compile(r"(?<![第新另同每某任])[一二两三四五六七八九十]+(?:艘|辆|台|座|架|部|款|场|颗|块|套|户|笔|支|根)")
# a count named before its figure: "金融创新案例个数为14", "入驻企业数为38", "企业数量：12"
_COUNT_BEFORE = re.compile(r"数(?:量|目)?\s*(?:为|是|达到?|有|共|：|:)?\s*$")
_NOT_A_FIGURE_ASKED = re.compile(r"第几|哪几|几月|几号|几日|几点|几时")
# who or which asked, not as a choice or a yes-or-no ("是腾讯还是阿里", "是中金公司吗"): an answer must say
# someone or something the question does not
_CHOICE_ASKED = re.compile(r"还是|吗|是不是|是否")
# names of a kind asked ("分别是哪几家企业", "都是哪些学校的", "具体是哪几家公司"): an answer must give some,
# not kinds listed ("投了半导体、芯片、大模型等方面的企业") nor the question's set again ("都是江苏省5家高校")
_NAMES_ASKED = re.compile(r"(?:哪几|哪些)(?:家|所|个|位)?[\u4e00-\u9fff]{0,4}?(?:企业|公司|学校|高校|大学|银行|机构|车企|单位|医院)")
# the names a question sets aside: "除了云创大数据和诺唯赞，另外4家是谁"
_EXCLUDED = re.compile(r"除了?([^，,。？?]{2,40}?)(?:之外|以外|外)?[，,]")
_NAME_SEPARATORS = re.compile(r"[和、及与跟]|以及")
_LIST_SEPARATORS = re.compile(r"[、，,；;和及与]|以及")
# a name glossed in brackets with another: "美国研究与发展公司（ARD）"
_GLOSS = re.compile(r"[（(]([^（）()]{2,20})[）)]")
_BEFORE_A_NAME = frozenset("，,。；;：:、是为叫系")
_KINDS_LISTED = re.compile(r"等(?:方面|领域|行业|类|产业|赛道|方向)")
# a date asked, and what its clause names after the question word: "是哪一年投的寒武纪" asks when 寒武纪 was
# invested in, which "2017年，…中科院创投正式成立" does not say
_DATE_ASKED_THEN = re.compile(r"(?:哪一?年|什么时候|啥时候|何时|哪一?天|几月)([^，,。；;？?]+)")
# a name given alone
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
# an amount a policy leaves open: "按…一定比例给予奖励", "给予适当补贴"
_VAGUE_AMOUNT = re.compile(r"一定(?:的)?(?:比例|比率|数额|金额|额度|奖励|补贴|补助|资金)|适当(?:的)?(?:奖励|补贴|补助)")
_CLAUSES = re.compile(r"[，,；;。！？]")
# figures in words that index.text leaves in words: shares, and counts of kinds ("三方面", "十大")
_FIGURE_IN_WORDS = re.compile(r"一半|过半|近半|大半|翻番|翻了?一番|百分之|"
                              r"(?<!第)[一二两三四五六七八九十]+(?:方面|大|点|类|种|部分|个方面|项)")


# a reason asked, and the words that give one (a cause or a purpose)
_REASON_ASKED = re.compile(r"为什么|为何|什么原因|原因是|原因有|怎么会")
_REASON_GIVEN = re.compile(r"因为|由于|原因|因素|受.{0,12}影响|得益于|归因|归功|所致|导致|造成|在于|主要是|源于|缘于|为了|旨在|目的|以便|是因")
# asked why something is proposed or called for ("为什么建议设立…"), the problem it answers is the reason:
# "…案件数量多，传统诉讼资源难以满足…，存在突出的立案难问题"
_PROPOSAL_ASKED = re.compile(r"(?:为什么|为何)(?:要|还要|会)?(?:建议|提出|提议|呼吁|主张|要求|强调|推动|倡议)")
_PROBLEM_STATED = re.compile(r"难以|瓶颈|短板|不足|缺乏|欠缺|制约|困难|难题|问题|痛点|风险|隐患")
# a person asked in a role ("导演是谁", "主演有哪些"): the sentence an answer comes from must say
# the role. "在秦昊看来，《漫长的季节》…" names an actor of the series, not its director
_ROLES = {"导演": r"导演|执导|导筒", "编剧": r"编剧|编写|剧本|执笔", "主演": r"主演|领衔|出演|饰演|饰|演员|联袂|携手|搭档",
          "演唱": r"演唱|献唱|唱", "作曲": r"作曲|谱曲", "作词": r"作词|填词",
          # the party behind a report or an event: "…记者获得的一份评测报告显示" names no 出品方
          "出品方": r"出品|发布|推出|制作|编制|出具|撰写|由", "主办方": r"主办|举办|由", "承办方": r"承办|由",
          "发起方": r"发起|由"}
_ROLE_ASKED = re.compile("|".join(_ROLES))
# a person asked by the post they hold ("那位分管领导叫什么名字", "负责人是谁"): an answer naming no one
# gives no name. jieba misses some names ("总经理为陈明亮": 明亮 reads as bright), so a common surname
# after 是/为/叫 names someone too
_POSTS = r"负责人|领导|总经理|董事长|总裁|行长|局长|主任|院长|校长|书记|部长|市长|省长|主席|创始人|法定代表人|经理|主管|总监|首席[\u4e00-\u9fff]{0,4}官"
_POST_HOLDER_ASKED = re.compile(rf"(?:{_POSTS})[^，,。？?]{{0,3}}?(?:叫什么名字|叫什么|是谁|姓什么|名叫什么)")
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
             "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤詹鲁葛温庞翟"
             "牛文殷施洪申乔伍齐康安常易季聂柳包单蓝童兰耿关解祝左舒凌柏岳艾邢俞骆倪窦宁管鲍华屈甘")
# a person asked plainly by "哪位" ("是哪位领导讲的", "哪位研究员写的"): an answer giving only a post
# ("法学研究所研究员") gives no name
_PERSON_ASKED = re.compile(r"哪一?位")
# the name of a thing of a kind asked: "用的是哪个公众号", "上线的是什么平台"
_KIND_NAME_ASKED = re.compile(r"(?:哪个|哪一个|什么|啥)(公众号|账号|平台|小程序|网站|栏目|节目|App|APP|app|软件|品牌)")
# a thing's name asked ("那个产品叫什么", "模型叫啥名", "正式名字叫什么"); the names an answer gives it
_NAME_ASKED = re.compile(r"叫(?:什么|啥)|(?:名字|名称)(?:是|叫)?(?:什么|啥)")
_NAME_GIVEN = re.compile(r"[“「《\"]([^”」》\"]{1,30})[”」》\"]|(?:名叫|叫做|叫(?!停|好|座)|名为|称为|定名为)\s*([^，,。；;、（(“「《\s]{2,30})")
_NAMED_AFTER = re.compile(rf"(?:是|为|叫|名叫|由)\s*[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}")
# who or which body, asked plainly ("是谁", "哪位专家", "哪家机构"): a quotation's speaker is read on to (rag.quotes)
_WHO_ASKED = re.compile(r"是谁|哪位|哪家(?!.{0,3}[多少几])|哪个(?:机构|单位|部门|公司|企业|平台|组织)|什么(?:机构|单位|公司|企业|组织)")
# the members of a set the question counts ("分了三个阶段，具体是怎么划分的"): an answer saying the count
# again ("经历了三个阶段") gives none of them. Asked for points instead ("提了哪三点建议"), rag.points adds
# the article's own list
_COUNT_WORD = r"[两三四五六七八九十]|\d{1,2}"
_MEMBERS_ASKED = re.compile(rf"(?:{_COUNT_WORD})(?:个|大|项|类|种|条|点)?[\u4e00-\u9fff]{{2}}[^？?]*?"
                            r"(?:怎么划分|如何划分|怎么分的|分别是|分别有|具体是哪|具体有哪|具体是什么)")
_ENUMERATED = re.compile(r"一是|第一|首先|其一|[①⑴]|[（(]1[)）]|(?:^|\n)\s*(?:1[.、．]|[-*•])")
_COUNTED_AFTER = re.compile(rf"(?:{_COUNT_WORD})(?:个|大|项|类|种|条|点)?([\u4e00-\u9fff]{{2}})")

# a date's parts, each of which the cited sentence must name: "2018年5月" is 2018年 and 5月
_YEAR, _DAY, _MONTH = r"(?<!\d)\d{4}年", r"(?<!\d)\d{1,2}月\d{1,2}[日号]", r"(?<!\d)\d{1,2}月"
_DATE_PART = re.compile(f"{_YEAR}|{_DAY}|{_MONTH}")


def kind_not_given(question: str, answer: str, asks_value: bool, cited: str | None = None) -> str:
    """"日期", "数字" or "原因" when `answer` lacks the date, the figure or the reason `question` asks for, the role
    ("导演") when `cited` (the cited sentences) does not say it; else "". With `cited`, a date counts
    only when they name each of its parts."""
    if len(split_question(question)) > 1:
        return ""
    if _REASON_ASKED.search(question):  # "为什么下降？" answered "2021年占比下降至…": the fact again, no reason
        problem = _PROPOSAL_ASKED.search(question) and _PROBLEM_STATED.search(answer)
        return "" if _REASON_GIVEN.search(answer) or problem else "原因"
    pattern = date_pattern(question)
    if pattern is not None:
        asked_dates = set(pattern.findall(question))  # "2022年…什么时候": 2022年 is not the answer
        given = set(pattern.findall(answer)) - asked_dates
        if cited is not None:
            given = {date for date in given if _named_in(date, cited, question)}
        return "" if given else "日期"
    if asks_value and not _NOT_A_FIGURE_ASKED.search(question):
        # the question's own figures ("那两只基金", "一半以上的进口来自中国") are not the answer's
        in_words = set(_FIGURE_IN_WORDS.findall(normalize(answer))) - set(_FIGURE_IN_WORDS.findall(normalize(question)))
        in_words |= set(_COUNT_IN_WORDS.findall(answer)) - set(_COUNT_IN_WORDS.findall(question))
        given = set(stated_figures(answer)) - set(stated_figures(question))
        # a count is given with its measure word: "“3+5+X”战略性新兴产业" counts no 项目 ("投了多少个项目")
        counts = asked_unit(compact(question)) != "count" or any(_counts(normalize(answer), f) for f in given)
        if in_words or (given and counts and not _said_vaguely(question, answer)):
            return ""
        return "数字"
    if (_WHO_ASKED.search(question) or _NAMES_ASKED.search(question)) and _only_excluded(question, answer):
        return "名称"  # "除了云创大数据和诺唯赞，另外4家是谁" answered "南京云创大数据、南京诺唯赞生物科技"
    if _WHO_ASKED.search(question) and not _CHOICE_ASKED.search(question) and not _says_beyond(question, answer):
        return "名称"  # "…中国企业单家排第一的是哪家" answered "…排第一的是中国": the question's own word
    if _NAMES_ASKED.search(question) and not _names_something(question, answer):
        return "名称"
    role = _ROLE_ASKED.search(question)
    if role and cited is not None and not re.search(_ROLES[role.group()], cited):
        return role.group()
    if _POST_HOLDER_ASKED.search(question) or _PERSON_ASKED.search(question):
        named = person_names(answer) - person_names(question)
        if not named and not _NAMED_AFTER.search(answer) and not _speaker_alone(answer, cited):
            return "姓名"
        if named and cited is not None and not any(name in cited for name in named):  # held like a date
            return "姓名"
        return ""
    members = "" if asks_points(question) else _members_asked(question)
    if members and not _gives_members(answer, members):
        return f"{members}分别是什么"
    return ""


def _only_excluded(question: str, answer: str) -> bool:
    """Whether every name `answer` lists holds one the question sets aside ("除了A和B，另外…"): it
    gives those again, fuller ("南京诺唯赞生物科技" for "诺唯赞"), and none of the others asked."""
    excluded = _EXCLUDED.search(compact(question))
    if not excluded:
        return False
    names = [n for n in _NAME_SEPARATORS.split(excluded.group(1)) if len(n) >= 2]
    items = [i for i in _LIST_SEPARATORS.split(compact(strip_markers(answer)).rstrip("。.等")) if i]
    return bool(names) and bool(items) and all(any(n in item for n in names) for item in items)


def _says_beyond(question: str, answer: str) -> bool:
    """Whether `answer` says two characters running that are no part of `question`: "…排第一的是中国" over
    "…中国企业单家排第一的是哪家" says nothing the question did not. A name glossed with one the question
    says ("美国研究与发展公司（ARD）" asked of ARD) is the question's own."""
    asked, said = compact(question), compact(strip_markers(answer))
    said = _without_glossed(said, asked)
    run, i = 0, 0
    while i < len(said):
        j = i + 1
        while j < len(said) and said[i:j + 1] in asked:
            j += 1
        if j - i >= 2:  # a piece of the question, two characters or more
            run, i = 0, j
            continue
        run = run + 1 if said[i].isalnum() else 0
        if run >= 2:
            return True
        i += 1
    return False


def _without_glossed(said: str, asked: str) -> str:
    """`said` without each name it glosses in brackets with a name `asked` says, back to the stop or
    the copula before it: "投的是美国研究与发展公司（ARD）" -> "投的是"."""
    for gloss in reversed(list(_GLOSS.finditer(said))):
        if gloss.group(1) not in asked:
            continue
        start = gloss.start()
        while start > 0 and said[start - 1] not in _BEFORE_A_NAME:
            start -= 1
        said = said[:start] + said[gloss.end():]
    return said


def _names_something(question: str, answer: str) -> bool:
    """Whether `answer` names something `question` does not (a company, a school, a quoted name; not a
    place), or lists things with 、 that are not kinds ("半导体、芯片…等方面")."""
    asked, places = compact(question), place_names(answer)
    found = {n for n in proper_names(answer) if not any(p in n for p in places)}  # 江苏省 is 江苏
    found |= company_names(answer) | _names_given(answer)
    if any(compact(name) not in asked for name in found):
        return True
    return any("、" in clause and not _KINDS_LISTED.search(clause) for clause in _CLAUSES.split(answer))


def dated_for_another(question: str, cited: str, passages: list[Passage]) -> bool:
    """Asked when something befell a thing named after the question word ("是哪一年投的寒武纪"), whether the
    cited sentences never name it while the passages do elsewhere: their date is another event's. A place
    is no such thing."""
    asked = _DATE_ASKED_THEN.search(compact(question))
    if not asked or not cited:
        return False
    after = asked.group(1)  # a place there sets the scene: "是什么时候在上海正式开张的"
    named = {compact(n) for n in (proper_names(after) - place_names(after)) | company_names(after)}
    if not named or any(n in compact(cited) for n in named):
        return False
    shown = compact("\n".join(p.chunk.text for p in passages))
    return any(n in shown for n in named)


def _speaker_alone(answer: str, cited: str | None) -> bool:
    """Whether the answer is a name alone ("古远新") that the cited sentences have speaking
    ("海南省应急管理厅副厅长古远新介绍，…"): a name jieba does not know, given without 是 or 叫."""
    bare = answer.strip().rstrip("。")
    return bool(cited) and bool(_CJK_NAME.fullmatch(bare)) and bool(re.search(re.escape(bare) + SAYS, cited))


def _said_vaguely(question: str, answer: str) -> bool:
    """Whether the answer's clause naming most of the question says the asked amount only vaguely
    ("按上年度研发费用…一定比例给予财政奖励"), its figures being in clauses naming less of it (a
    condition: "对研发费用占营业收入比重3%以上…的企业")."""
    wanted = set(question_terms(question))
    clauses = [c for c in _CLAUSES.split(answer) if c.strip()]
    vague = [len(wanted & set(terms(c))) for c in clauses if _VAGUE_AMOUNT.search(c) and not stated_figures(c)]
    figures = [len(wanted & set(terms(c))) for c in clauses if stated_figures(c)]
    return bool(vague) and max(vague) > max(figures, default=0)


def named_for_another(question: str, answer: str, asked: Constraints, passages: list[Passage]) -> bool:
    """Asked the name of a thing of a company the question names ("腾讯…那个产品叫什么"), whether the answer
    gives a name that the passages say only in sentences naming none of the question's companies or
    subjects: the name is another's ("科大讯飞在发布…讯飞星火认知大模型V3.0时"). A name no passage says is
    left to the checks for inventions."""
    owners = asked.subjects | asked.organisations
    if not owners or not _NAME_ASKED.search(question):
        return False
    given = {compact(name) for name in _names_given(answer) - _names_given(question)}
    sentences = [compact(p.chunk.text[a:b]) for p in passages for a, b in split_sentences(p.chunk.text)]
    holding = [s for s in sentences if any(name in s for name in given)]
    return bool(holding) and not any(compact(owner) in s for s in holding for owner in owners)


def named_as_another_kind(question: str, answer: str, passages: list[Passage]) -> bool:
    """Asked the name of a thing of a kind ("用的是哪个公众号", "上线的是什么平台"), whether every name the
    answer gives is one the passages say but never beside that kind: "号名叫“明汯投资”" over "明汯投资员工…
    通过自媒体公众号发表…" names the company, not the account. A name no passage says is left to the checks
    for inventions."""
    asked = _KIND_NAME_ASKED.search(question)
    if not asked:
        return False
    kind = asked.group(1)
    given = {compact(name) for name in _names_given(answer) - _names_given(question) if len(name.strip()) >= 2}
    shown = compact("\n".join(p.chunk.text for p in passages))
    said = {name for name in given if name in shown}
    if not given or said != given:
        return False
    near = compact(kind)
    # beside it: in one clause, the kind just before the name ("公众号“星河观察”") or after it ("星河观察是…的公众号")
    return not any(re.search(rf"{re.escape(near)}[^，,。；;、]{{0,4}}{re.escape(name)}|{re.escape(name)}[^，,。；;、]{{0,8}}{re.escape(near)}",
                             shown) for name in said)


def _names_given(text: str) -> set[str]:
    """The names `text` gives: quoted ("“天镜”", "《…》") or after 叫, 名为, 名叫, 称为 up to the clause's end."""
    return {m.group(1) or m.group(2) for m in _NAME_GIVEN.finditer(text) if (m.group(1) or m.group(2)).strip()}


def _counts(answer: str, figure: str) -> bool:
    """Whether `figure` counts something in `answer`: its measure word after it ("12个项目"), or a
    count named before it, as a table's cell is read ("辽宁，金融创新案例个数为14")."""
    if figure_kind_of(answer, figure) == "count":
        return True
    return any(_COUNT_BEFORE.search(answer[: m.start()]) for m in re.finditer(rf"(?<![\d.]){re.escape(figure)}(?![\d.])", answer))


def asks_who(question: str) -> bool:
    """Whether `question` asks who someone is, or which body: by a post, a role or plainly."""
    return bool(_WHO_ASKED.search(question) or _POST_HOLDER_ASKED.search(question) or _ROLE_ASKED.search(question))


def _members_asked(question: str) -> str:
    """The counted set whose members `question` asks for, as it counts it ("三个阶段"); "" for none."""
    asked = _MEMBERS_ASKED.search(compact(question))
    return _COUNTED_AFTER.match(asked.group()).group() if asked else ""


def _gives_members(answer: str, members: str) -> bool:
    """Whether `answer` lists members of the set `members` ("三个阶段"): items enumerated (一是,
    第一, 1.), or a run of things with 、 in the clause naming the set or the next, unless that run
    is counted as something else ("技术化、智能化、服务化、个性化四大特征")."""
    if _ENUMERATED.search(answer):
        return True
    noun = members[-2:]
    clauses = re.split(r"[，,；;。！!？?]", answer)
    for i, clause in enumerate(clauses):
        if noun not in clause:
            continue
        if "：" in clause or ":" in clause:
            return True
        for listing in clauses[i:i + 2]:
            counted = set(_COUNTED_AFTER.findall(listing.split("、")[-1]))
            if "、" in listing and (noun in listing.replace(members, "") or not counted - {noun}):
                return True
    return False


def _dated_quote(question: str, citation: Citation) -> bool:
    """Whether the cited sentence opens with a date of the kind asked, dating all it says, and names
    nearly all of the question's words: the model restated the sentence and left its date out
    ("中国电信方面宣布推出“SIM数字身份”…" of "2022年5月，中国电信方面宣布推出“SIM数字身份”…"), so the
    sentence answers. A date further on may be another event's: "近日，…发布公告，…自今年10月15日起受理
    认证委托" does not say when the notice was issued."""
    pattern = date_pattern(question)
    opening = re.split(r"[，,；;]", citation.quote.strip(), maxsplit=1)[0]
    if pattern is None or not set(pattern.findall(opening)) - set(pattern.findall(question)):
        return False
    wanted = question_terms(question)
    return bool(wanted) and overlap(wanted, terms(citation.chunk.title + "\n" + citation.quote)) >= MIN_COVERAGE


def _named_in(date: str, cited: str, question: str) -> bool:
    """Whether the cited sentences, or the question itself, name every part of `date`."""
    said = compact(cited + "\n" + question)
    named = {part.replace("号", "日") for pattern in (_YEAR, _DAY, _MONTH) for part in re.findall(pattern, said)}
    return all(part.replace("号", "日") in named for part in _DATE_PART.findall(compact(date)))


def gives_asked_kind(grounded: Grounded, prepared: Prepared) -> Grounded:
    """`grounded` unchanged unless it answers a date or figure question without one (see module)."""
    if grounded.refused or grounded.missing:
        return grounded
    cited = "\n".join(c.quote for c in grounded.citations)
    answer = strip_markers(grounded.text)
    another_date = dated_for_another(prepared.standalone, cited, prepared.passages)
    kind = kind_not_given(prepared.standalone, answer, prepared.constraints.value, cited) or \
        ("名称" if named_for_another(prepared.standalone, answer, prepared.constraints, prepared.passages) else "") or \
        ("名称" if named_as_another_kind(prepared.standalone, answer, prepared.passages) else "") or \
        ("日期" if another_date else "")
    if not kind:
        return grounded
    if not grounded.citations:
        return replace(grounded, text="", refused=True, notice=NOTICE_NOT_GIVEN)
    citation = grounded.citations[0]
    if kind == "日期" and not another_date and _dated_quote(prepared.standalone, citation):
        said = rebound(grounded, f"资料中与问题对应的原文：{inline_quote(citation.quote)}[1]。", citation, citation.quote)
        return replace(said, notice=NOTICE_DATE_QUOTED)
    return say_what_is_missing(grounded, f"资料中没有写明问题所问的{kind}；资料给出的最接近的是", citation.quote,
                               citation, NOTICE_NOT_GIVEN)
