"""Class 4 of #22: a list that runs past its passage is read on into the next chunk of its
article, so the answer can give every point. Fictional articles only."""

from __future__ import annotations

from pathlib import Path

from index.builder import IndexBuilder
from index.embedded_store import EmbeddedStore
from index.pipeline import ChunkingConfig
from index.records import Chunk, Hit
from rag.grounding import ground
from rag.points import runs_on
from rag.prepare import prepare
from rag.read_on import read_on
from rag.records import Passage
from rag.retrieval import Retriever
from rag.settings import Settings

HEAD = Chunk("a1", "bank.txt", "东湖银行的六专机制", "东湖银行建立“六专”机制：一是专营的组织架构；二是专业的服务队伍；", 0, 34)
TAIL = Chunk("a2", "bank.txt", "东湖银行的六专机制", "二是专业的服务队伍；三是专用的风险政策；四是专门的信息系统。", 25, 55)
NEXT_ARTICLE = Chunk("b1", "bank.txt", "西湖港口", "三是扩大航线。港口吞吐量增长。", 55, 70)
OTHER = Chunk("c1", "port.txt", "南港", "南港开通新航线。", 0, 8)


def _following(*chunks: Chunk):
    after = {a.id: b for a, b in zip(chunks, chunks[1:])}
    return lambda chunk: after.get(chunk.id)


def _passages(*chunks: Chunk) -> list[Passage]:
    return [Passage(n, Hit(chunk=c, score=1.0, retriever="hybrid", rank=n)) for n, c in enumerate(chunks, start=1)]


def test_a_list_runs_on_when_its_next_item_follows_before_another_list_starts() -> None:
    assert runs_on("措施有：一是降本；二是增效；", "三是扩大开放。")
    assert runs_on("（一）强化源头防范。", "（二）严格追责问责。")
    assert not runs_on("措施有：一是降本；二是增效；三是开放。", "总体来看成效明显。")
    assert not runs_on("措施有：一是降本；二是增效；", "另一份文件提出：一是减税；二是降费；三是稳岗。")
    assert not runs_on("港口吞吐量增长。", "二是扩大航线。")  # no list to run on
    # headings a count announces run on into a chunk whose first paragraph finishes the last one's
    announced = "新区将实现 3个方面的转变。\n\n塑造开放新格局。面积扩大。\n\n提升产业新层级。"
    assert runs_on(announced, "着力打造产业集群，新增上市公司。\n\n开辟绿色新境界。建设近零碳园区。")
    assert not runs_on(announced, "着力打造产业集群。\n\n据悉，新区还将新建学校，扩大招生。")


def test_the_chunk_carrying_a_list_on_is_shown_right_after_its_head_and_the_rest_renumbered() -> None:
    passages = read_on(_passages(HEAD, OTHER), _following(HEAD, TAIL, NEXT_ARTICLE))
    assert [(p.n, p.chunk.id) for p in passages] == [(1, "a1"), (2, "a2"), (3, "c1")]
    assert passages[1].hit.retriever == "read-on"


def test_nothing_is_read_on_into_another_article_twice_or_without_a_list() -> None:
    assert [p.chunk.id for p in read_on(_passages(TAIL), _following(TAIL, NEXT_ARTICLE))] == ["a2"]
    assert [p.chunk.id for p in read_on(_passages(HEAD, TAIL), _following(HEAD, TAIL))] == ["a1", "a2"]
    assert [p.chunk.id for p in read_on(_passages(OTHER), _following(OTHER, HEAD))] == ["c1"]


def test_headings_a_count_announces_are_followed_into_the_next_chunks_but_a_paragraph_cut_by_a_chunk_is_no_heading() -> None:
    from rag.read_on import article_lists

    article = ("新区将实现 3个方面的转变。\n\n塑造开放新格局。面积从 5 平方公里扩展到 40 平方公里。\n\n"
               "提升产业新层级。着力打造产业集群。新增上市公司 10 家。\n\n开辟绿色新境界。建设近零碳园区。")
    cuts = [0, article.index("着力"), article.index("新增"), len(article)]
    chunks = [Chunk(f"h{i}", "zone.txt", "新区转型", article[a:b], a, b) for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
    [listed] = article_lists(_passages(chunks[0]), _following(*chunks))
    # "着力打造产业集群。" opens a chunk, not a paragraph: it is item 2's text, not item 3
    assert [(chunk.id, head) for chunk, head in listed] == [("h0", "塑造开放新格局"), ("h0", "提升产业新层级"), ("h2", "开辟绿色新境界")]


ITEMS = [
    ("专营的组织架构", "总行设立科技金融部，在重点城市设立二十家科技支行，统一管理科技企业客户。"),
    ("专业的服务队伍", "配备产品经理、审批人员和客户经理三类专职人员，分别负责产品、审批和服务。"),
    ("专用的风险政策", "对科技贷款实行差异化的风险容忍度，落实尽职免责，单列不良贷款考核指标。"),
    ("专门的信息系统", "上线科技金融管理平台，把企业的专利、研发投入和订单数据纳入授信审查。"),
    ("专项的考核激励", "对科技支行单独下达信贷计划，考核侧重服务企业户数而不是短期利润贡献。"),
    ("专属的信贷标准", "建立科技企业评级模型，按照技术实力和成长潜力给予信用贷款额度支持。"),
]
SAID = "该行有关负责人表示，这项安排已在多家分行试行，下一步将总结经验、逐步推广到全行各个分支机构。"
ARTICLE = ("东湖银行科技金融“六专”机制\n\n为服务科技型企业，东湖银行近年来逐步建立起科技金融“六专”管理机制，"
           "把科技企业作为全行的重点客户群体。"
           + "".join(f"{'一二三四五六'[i]}是{name}。{detail}{SAID}" for i, (name, detail) in enumerate(ITEMS))
           + "\n")


def test_asked_for_every_point_the_model_sees_the_lists_tail_and_the_answer_names_all_six(tmp_path: Path, embedder) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "bank.txt").write_text(ARTICLE, encoding="utf-8")
    IndexBuilder(tmp_path / "index", embedder, ChunkingConfig()).build(tmp_path / "articles")
    store = EmbeddedStore(tmp_path / "index")
    assert store.stats().chunks >= 2  # the list spans chunks
    settings = Settings(top_k=1, data_dir=tmp_path, index_dir=tmp_path / "index")

    prepared = prepare("东湖银行的“六专”管理机制具体是哪六专？", [], settings, Retriever(store, embedder, top_k=1))

    assert len(prepared.hits) == 1 and "六是" not in prepared.hits[0].chunk.text  # retrieval found the head only
    shown = "".join(p.chunk.text for p in prepared.passages)
    assert all(name in shown for name, _ in ITEMS)
    grounded = ground("东湖银行的六专包括专营的组织架构和专业的服务队伍[1]。", prepared)
    listed = grounded.text.split("资料原文列出的要点：")[1]
    assert all(name in listed for name, _ in ITEMS)
    assert {c.chunk.id for c in grounded.citations} == {p.chunk.id for p in prepared.passages}


LONG_ITEMS = ["坚持企业主体", "坚持人才引领", "坚持中央统筹", "超前布局大科学装置", "推进有组织创新", "重视场景驱动"]
FILLER = ("这方面需要长期投入和持续改革，各地已有不少探索，东湖省的做法值得关注。有关部门表示，将在总结试点经验的基础上，"
          "进一步完善配套政策，形成可复制、可推广的制度安排，让更多创新主体从中受益。")
LONG_ARTICLE = ("东湖省提升创新体系效能的六点建议\n\n推进创新体系整合，东湖省研究人员提出六点建议。"
                + "".join(f"{'一二三四五六'[i]}是{item}，{FILLER * 3}" for i, item in enumerate(LONG_ITEMS)) + "\n")


def test_a_list_whose_points_run_a_chunk_each_is_read_to_its_end_and_each_point_cited_where_it_stands(tmp_path: Path, embedder) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "ideas.txt").write_text(LONG_ARTICLE, encoding="utf-8")
    IndexBuilder(tmp_path / "index", embedder, ChunkingConfig()).build(tmp_path / "articles")
    store = EmbeddedStore(tmp_path / "index")
    settings = Settings(top_k=1, data_dir=tmp_path, index_dir=tmp_path / "index")

    prepared = prepare("推进创新体系整合，东湖省研究人员提出了哪几点建议？", [], settings, Retriever(store, embedder, top_k=1))

    assert [head for _, head in prepared.listed] == LONG_ITEMS
    assert len({chunk.id for chunk, _ in prepared.listed}) >= 4  # more chunks than the model is shown
    assert "六是" not in "".join(p.chunk.text for p in prepared.passages)
    grounded = ground("研究人员建议坚持企业主体[1]。", prepared)
    listed = grounded.text.split("资料原文列出的要点：")[1]
    assert all(item in listed for item in LONG_ITEMS)
    by_n = {c.n: c for c in grounded.citations}
    for i, item in enumerate(LONG_ITEMS):  # each point's marker (after it or a later point of its chunk) holds it
        marker = listed[listed.index(item):].split("[", 1)[1].split("]", 1)[0]
        assert f"{'一二三四五六'[i]}是{item}" in by_n[int(marker)].chunk.text


def test_every_list_the_asked_articles_passages_start_is_read_to_its_end_best_ranked_first() -> None:
    from rag.read_on import article_lists

    text = ("在管理方面推行“三专”机制。\n\n一是专营的组织。\n\n二是专业的团队。\n\n三是专用的风控。\n\n"
            "在服务方面推出“三保”体系。\n\n一是保证效率。\n\n二是保证资源。\n\n三是保证定价。")
    cuts = [0, text.index("在服务"), text.index("二是保证"), len(text)]
    chunks = [Chunk(f"b{i}", "bank.txt", "北岛银行", text[a:b], a, b) for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
    lists = article_lists(_passages(chunks[0], chunks[1]), _following(*chunks))
    assert [[head for _, head in found] for found in lists] == [["专营的组织", "专业的团队", "专用的风控"],
                                                                ["保证效率", "保证资源", "保证定价"]]
    assert [chunk.id for chunk, _ in lists[1]] == ["b1", "b2", "b2"]  # the second read on past its passage
