import pytest

from assistant.ingest.sentences import spans, split


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dự án đã nhận được 180.706 đề xuất và hơn 1.700 trong số đó. Sau đó tiếp tục.", 2),
        ("Honda, Nissan Motor Co., Ltd. và Toyota đã đồng ý. Câu thứ hai.", 2),
        ("TS. Nguyễn Văn A phát biểu. Ông nói thêm.", 2),
        ("đổi mới sáng tạo (ĐMST). Câu sau.", 2),
        ("Tỷ lệ là 3,5 phần trăm. Con số 1,4 tỷ của Trung Quốc.", 2),
        ("1. Tận dụng thế mạnh: Mỗi quốc gia đã phát triển. Trung Quốc dẫn đầu.", 2),
        ("Họ đã đồng ý. Tốt.", 2),
        ("Ko Jae-man and Lee Ha-yeon, “S. Korea to ramp up investment”, Pulse.", 1),
        ("Câu hỏi? Trả lời! Xong…", 3),
        ("Ví dụ: (1) thứ nhất; (2) thứ hai.", 1),
    ],
)
def test_split_counts(text, expected):
    assert len(split(text)) == expected, split(text)


def test_spans_are_exact_slices():
    text = "  Câu một.  Câu hai có 720 km². “Câu ba.” Câu bốn "
    for s, e in spans(text):
        assert text[s:e] == text[s:e].strip()
    assert split(text) == ["Câu một.", "Câu hai có 720 km².", "“Câu ba.”", "Câu bốn"]
