import statistics

import pytest

from assistant.ingest import passages
from assistant.models import JOINER, Passage, Span


@pytest.fixture(scope="module")
def split(source):
    return passages.split(source, "bulletin")


def test_offsets_round_trip_exactly(split, source):
    for p in split:
        assert JOINER.join(source[s.start : s.end] for s in p.spans) == p.text
        assert p.text == p.text.strip()


def test_every_body_paragraph_is_covered_once(split, source):
    covered = sorted((s.start, s.end) for p in split for s in p.spans)
    for (_, a1), (b0, _) in zip(covered, covered[1:]):
        assert a1 <= b0, "passages overlap"
    text_chars = sum(e - s for s, e in covered)
    assert text_chars > 0.9 * len(source.strip())


@pytest.mark.parametrize(
    "before, after",
    [
        ("sự trùng lặp của các dịch", "vụ và nền tảng"),
        (
            "(điều hành nền tảng nhắn tin WeChat) đang đi đầu",
            "trong ĐMST do khu vực tư nhân dẫn dắt",
        ),
        ("Bộ Nội vụ và Truyền thông đang xây", "dựng một nền tảng cho phép"),
        ("Trong khi đó, công", "nghệ mô hình hành vi con người"),
        ("hơn 1.700 trong số", "đó đã được tích hợp"),
        ("thu hút càng nhiều tiếng", "nói bên ngoài càng tốt"),
        ("có ý nghĩa tích cực trong việc", "đạt được các mục tiêu phát triển bền vững"),
        ("Những ĐMST trong lĩnh vực", "công, chẳng hạn như các dự án"),
    ],
)
def test_page_breaks_are_joined(split, before, after):
    joined = [p for p in split if before in p.text]
    assert joined, f"no passage has {before!r}"
    assert f"{before} {after}" in joined[0].text


def test_footnote_is_its_own_passage_and_not_inside_the_paragraph(split):
    footnotes = [p for p in split if p.kind == "footnote"]
    assert len(footnotes) == 1 and footnotes[0].text.startswith("¹ Mục tiêu Phát triển Bền vững")
    assert not any("¹ Mục tiêu" in p.text for p in split if p.kind == "paragraph")


def test_structure_kinds(split):
    kinds = {p.kind for p in split}
    assert {"front", "paragraph", "caption", "footnote", "reference"} <= kinds
    caption = next(p for p in split if p.kind == "caption")
    assert caption.text == "Hình 1. Khung ĐMST khu vực công"
    references = [p for p in split if p.kind == "reference"]
    assert references[0].section == ["Tài liệu tham khảo chính"]
    assert "14. Yu Zhou and Xielin Liu" in references[-1].text


def test_innoleap_sits_under_singapore_private_sector(split):
    innoleap = next(p for p in split if "InnoLeap" in p.text)
    assert innoleap.section[1] == "2.4. Singapo"
    assert innoleap.section[2] == "(c) ĐMST do khu vực tư nhân lãnh đạo"
    assert innoleap.section_path.startswith(
        "2. Kinh nghiệm đổi mới sáng tạo khu vực công ở Trung Quốc"
    )
    assert "Singapo" in innoleap.indexed_text and innoleap.indexed_text.endswith(innoleap.text)


def test_roman_items_nest_under_their_letter(split):
    p = next(p for p in split if p.text.startswith("Một yếu tố lợi thế đặc biệt"))
    assert p.section[-2:] == ["(d) Những lợi thế đặc biệt", "(i) Tận dụng sự phong phú của dữ liệu"]


def test_policy_points_carry_their_title(split):
    p = next(p for p in split if p.text.startswith("1. Tận dụng thế mạnh"))
    assert p.section == ["3. Hàm ý chính sách", "1. Tận dụng thế mạnh"]


def test_sizes_suit_readers_and_the_embedder(split):
    body = [p for p in split if p.kind == "paragraph"]
    lengths = [len(p.text) for p in body]
    assert max(lengths) <= 1100
    assert 300 <= statistics.mean(lengths) <= 700
    assert sum(n < 150 for n in lengths) == 0


def test_ids_are_stable_and_unique(split, source):
    again = passages.split(source, "bulletin")
    assert [p.id for p in split] == [p.id for p in again]
    assert len({p.id for p in split}) == len(split)
    # An edit in one paragraph leaves the other passages' ids alone.
    edited = source.replace("WeChat có hơn 1 tỷ người dùng", "WeChat có hơn 1,1 tỷ người dùng")
    changed = {p.id for p in passages.split(edited, "bulletin")} ^ {p.id for p in split}
    assert len(changed) == 2


def test_to_source_maps_across_a_page_break(split, source):
    p = next(p for p in split if len(p.spans) > 1 and p.kind == "paragraph")
    first_len = p.spans[0].end - p.spans[0].start
    start, end = first_len - 5, first_len + 6  # straddles the join
    pieces = p.to_source(start, end)
    assert len(pieces) == 2
    assert JOINER.join(source[s.start : s.end] for s in pieces) == p.text[start:end]


def test_to_source_rejects_ranges_outside_the_passage():
    p = Passage(id="x", doc_id="d", text="abc", spans=[Span(start=0, end=3)])
    with pytest.raises(ValueError):
        p.to_source(2, 5)


def test_plain_text_without_structure_still_splits():
    text = "Một đoạn văn ngắn về chính phủ số.\n\n" + "Câu dài về dữ liệu mở. " * 80
    out = passages.split(text, "plain")
    assert out and all(len(p.text) <= 1100 for p in out)
    for p in out:
        assert JOINER.join(text[s.start : s.end] for s in p.spans) == p.text
