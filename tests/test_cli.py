"""The command line as people use it: messages, exit codes, no tracebacks."""

import json

import pytest

from .conftest import run_cli as run


@pytest.mark.parametrize("command", ["ask", "search"])
@pytest.mark.parametrize(
    "question, message", [("", "empty"), ("   ", "empty"), ("x" * 20_000, "20,000 characters")]
)
def test_bad_questions_exit_2_with_a_message(command, question, message):
    result = run(command, question)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_model_says_what_to_do(tmp_path):
    result = run(
        "search",
        "robot",
        "--model",
        "no-such-org/no-such-model",
        "--index",
        str(tmp_path / "i"),
        env={"HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 2
    assert "--model PATH" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("variable, value", [("ASSISTANT_K", "five"), ("ASSISTANT_BACKEND", "gpu")])
def test_a_bad_setting_in_the_environment_names_it(variable, value):
    result = run("search", "robot", env={variable: value})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "invalid setting" in result.stderr and repr(value) in result.stderr


def test_corpus_without_documents(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("build", "--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "i"))
    assert result.returncode == 2 and "no readable document" in result.stderr


def test_bad_eval_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n")
    result = run("eval", str(bad))
    assert result.returncode == 2 and "not a valid question line" in result.stderr


@pytest.mark.model
def test_a_first_index_is_announced_before_the_wait(real_settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Ghi chú\n\nSingapore có dân số hơn 5 triệu người.\n", encoding="utf-8")
    env = {"ASSISTANT_CACHE_DIR": str(real_settings.cache_dir)}
    args = ("robot", "--corpus", str(corpus), "--index", str(tmp_path / "i"))
    first = run("search", *args, env=env)
    assert first.returncode == 0, first.stderr
    assert "building the index of" in first.stderr and "Traceback" not in first.stderr
    again = run("search", *args, env=env)  # the index is there: nothing to announce
    assert again.returncode == 0 and "building the index" not in again.stderr


@pytest.mark.model
def test_ask_json_with_the_real_model(real_bot, real_settings):
    env = {
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
        "ASSISTANT_CACHE_DIR": str(real_settings.cache_dir),
    }
    result = run("ask", "WeChat có bao nhiêu người dùng?", "--json", env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "1 tỷ" in answer["text"] and answer["citations"][0]["section_path"]
    text = run("ask", "singapore ho tro doanh nghiep vua va nho", env=env)
    assert "Nguồn:" in text.stdout and "doanh nghiệp vừa và nhỏ" in text.stdout
