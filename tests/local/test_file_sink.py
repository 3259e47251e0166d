"""FileSink (`efw run --sink file`): SendMessageBatch entries become lines, written in large blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventframework.local.queue_sink import FileSink


def _entries(start: int, count: int, size: int) -> list[dict[str, str]]:
    pad = "x" * size
    return [{"Id": str(n), "MessageBody": f'{{"n": {start + n}, "pad": "{pad}"}}'} for n in range(count)]


def test_file_sink_writes_each_body_as_a_line_and_answers_like_sqs(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "out" / "events.jsonl").start()
    response = sink.send_message_batch(QueueUrl="q", Entries=_entries(0, 3, 4))
    assert response == {"Successful": [{"Id": "0"}, {"Id": "1"}, {"Id": "2"}], "Failed": []}
    assert sink.stop() == 3
    lines = (tmp_path / "out" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [line[:8] for line in lines] == ['{"n": 0,', '{"n": 1,', '{"n": 2,']


def test_file_sink_buffers_a_page_of_batches_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    sink = FileSink(path).start()
    for batch in range(10):  # ~100 KB: several default-sized buffers, well inside the sink's
        sink.send_message_batch(QueueUrl="q", Entries=_entries(batch * 10, 10, 1000))
    assert path.stat().st_size == 0
    assert sink.stop() == 100
    assert len(path.read_text(encoding="utf-8").splitlines()) == 100


def test_file_sink_refuses_batches_before_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="start"):
        FileSink(tmp_path / "events.jsonl").send_message_batch(QueueUrl="q", Entries=_entries(0, 1, 1))
