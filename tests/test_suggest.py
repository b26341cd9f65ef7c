"""Suggested classification codes: the pure suggester (earsip.suggest) and the desk's service
over a real archive (real PDFs filed, retrained, the job run by the job machinery)."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from earsip import suggest
from earsip.audit import SYSTEM
from earsip.models import ClassifierModel, Document, Job
from earsip.schemas.retention import DisposalApproval, DisposalProposal
from earsip.schemas.scheme import SchemeRow
from earsip.services import Archive
from earsip.services.desk import suggestions
from earsip.services.operations import jobs, schedule
from earsip.services.records import scheme
from earsip.services.retention import destruction, destruction_execution
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD
from tests.helpers import DECIDED, entries, execution, file_doc, principal_of

TOPICS = {
    "KU.00.03": "anggaran pembayaran bendahara kuitansi pajak pencairan belanja realisasi spm "
                "sp2d pertanggungjawaban kas",
    "PM.00.02": "pengawasan tahapan kampanye pengawas kecamatan tps patroli pencegahan "
                "pemutakhiran pemilih rekapitulasi",
    "KP.07.00": "pegawai pangkat golongan cuti mutasi jabatan pengangkatan kenaikan riwayat "
                "gaji asn",
}
FILLER = ["surat", "kantor", "kota", "mojokerto", "sekretariat", "kegiatan", "pelaksanaan",
          "rangka", "bulan", "tahun", "disampaikan", "mohon", "segera", "laksanakan", "sesuai",
          "ketentuan", "berlaku"]


# Letters about a topic of their own, filed long ago under KA.00 (destroyed after 5 years).
DAMP = "gudang banjir rayap kerusakan arsip lembap jamur rak"


def _letter(code: str, seed: int, words: int = 30) -> str:
    rng = random.Random(f"{code}-{seed}")
    topic = (DAMP if code == "KA.00" else TOPICS[code]).split()
    body = [rng.choice(topic if rng.random() < 0.4 else FILLER) for _ in range(words)]
    return f"Nomor: {seed}/{code}/K.JI-11.07/2024\nPerihal: {rng.choice(topic)}\n" \
        + " ".join(body)


def _samples(per_code: int = 10) -> list[tuple[str, str]]:
    return [(code, _letter(code, i)) for code in TOPICS for i in range(per_code)]


# --- the pure suggester ------------------------------------------------------------------------

def test_words_are_lowercased_without_numbers_or_stopwords_and_stemmed_when_asked() -> None:
    text = "Dengan hormat, ANGGARAN 2024 untuk Pengawasan PM.00.02 undang-undang"
    assert suggest.tokenize(text) == ["anggaran", "pengawasan", "pm", "undang-undang"]
    assert suggest.tokenize(text, stem=lambda w: w[:4]) == ["angg", "peng", "pm", "unda"]


def test_a_letter_about_an_obvious_topic_gets_its_code_first() -> None:
    model = suggest.train(_samples())
    for code in TOPICS:
        ranked = model.suggest(_letter(code, 99))
        assert ranked[0][0] == code, ranked
        assert 0 < ranked[0][1] <= 1
        assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_a_letter_mixing_two_topics_has_both_codes_in_its_top_three() -> None:
    model = suggest.train(_samples())
    text = "pembayaran kuitansi bendahara untuk patroli pengawas kecamatan kampanye"
    ranked = [code for code, _ in model.suggest(text, k=3)]
    assert {"KU.00.03", "PM.00.02"} <= set(ranked) and len(ranked) <= 3
    assert [code for code, _ in model.suggest(text, k=1)] == ranked[:1]


def test_a_model_read_back_from_its_json_suggests_exactly_the_same() -> None:
    model = suggest.train(_samples())
    again = suggest.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    for code in TOPICS:
        text = _letter(code, 77)
        assert again.suggest(text) == model.suggest(text)
    data = json.loads(model.to_json())
    assert all(len(c["weights"]) <= suggest.TERMS_PER_CODE for c in data["codes"].values())
    capped = suggest.train(_samples(), terms_per_code=5)
    assert all(len(c.weights) == 5 for c in capped.codes.values())


def test_a_stemmed_model_is_read_back_only_with_a_stemmer() -> None:
    model = suggest.train(_samples(), stem=lambda w: w[:5])
    with pytest.raises(ValueError):
        suggest.from_json(model.to_json())
    again = suggest.from_json(model.to_json(), stem=lambda w: w[:5])
    assert again.suggest("pembayaran kuitansi") == model.suggest("pembayaran kuitansi")


def test_empty_or_unknown_text_and_a_model_with_too_little_data_suggest_nothing() -> None:
    model = suggest.train(_samples())
    assert model.suggest("") == [] and model.suggest("2024 / 17 -- ,") == []
    assert model.suggest("zebra jerapah kangguru") == []
    assert model.suggest("anggaran", k=0) == []
    few = suggest.train(_samples()[:suggest.MIN_DOCUMENTS - 1])
    assert few.suggest("anggaran pembayaran bendahara") == []
    one_code = suggest.train([("KU.00.03", _letter("KU.00.03", i)) for i in range(20)])
    assert one_code.suggest("anggaran pembayaran bendahara") == []


def test_training_is_deterministic_whatever_the_order_of_the_samples() -> None:
    samples = _samples()
    shuffled = samples[:]
    random.Random(3).shuffle(shuffled)
    assert suggest.train(samples).to_json() == suggest.train(shuffled).to_json()


@pytest.mark.parametrize("method", suggest.METHODS)
def test_the_held_back_accuracy_is_measured_on_a_stratified_fifth(method: str) -> None:
    samples = _samples(per_code=10)
    train_set, test_set = suggest.split(samples, holdout=0.2, seed=0)
    assert sorted(c for c, _ in test_set) == sorted([*TOPICS] * 2)
    assert suggest.split(samples, seed=0) == (train_set, test_set)
    accuracy = suggest.evaluate(samples, method=method)
    assert (accuracy.n_train, accuracy.n_test) == (24, 6)
    assert accuracy.top1 == 1.0 and accuracy.top3 == 1.0
    # Labels that say nothing of the text: no better than chance, and measured as such.
    rng = random.Random(5)
    noise = [(rng.choice([*TOPICS]), text) for _, text in _samples(per_code=30)]
    assert (suggest.evaluate(noise, method=method).top1 or 0) < 0.7


def test_training_and_measuring_in_one_reading_gives_what_each_gives_alone() -> None:
    rng = random.Random(9)
    samples = [(code, text) for code, text in _samples(per_code=12) if rng.random() < 0.9]
    model, accuracy = suggest.train_and_evaluate(samples, seed=4)
    assert model.to_json() == suggest.train(samples).to_json()
    assert accuracy == suggest.evaluate(samples, seed=4)
    train_set, test_set = suggest.split(samples, seed=4)
    assert accuracy == suggest.score(suggest.train(train_set), test_set)


def test_a_code_with_a_single_sample_is_learned_but_never_held_back() -> None:
    samples = [*_samples(), ("HM.00.02", "siaran pers media sosial website")]
    train_set, test_set = suggest.split(samples)
    assert ("HM.00.02", "siaran pers media sosial website") in train_set
    assert all(code != "HM.00.02" for code, _ in test_set)
    assert suggest.evaluate([]) == suggest.Accuracy(None, None, 0, 0)
    # Held back from too few letters, the rest trains no usable model: nothing is measured.
    small = suggest.evaluate(_samples(per_code=4))
    assert (small.top1, small.top3, small.n_train, small.n_test) == (None, None, 9, 0)


# --- the service over a real archive -----------------------------------------------------------

def _file(archive: Archive, folder: Path, code: str, seed: int, *,
          date: str | None = None) -> int:
    folder.mkdir(exist_ok=True)
    kwargs = {"date": date} if date else {}
    return file_doc(archive, folder, code=code, text=_letter(code, seed, words=40), **kwargs)


def _file_topics(archive: Archive, folder: Path, per_code: int = 5) -> None:
    for code in TOPICS:
        for i in range(per_code):
            _file(archive, folder, code, i)


def test_the_desk_suggests_codes_learned_from_the_filed_letters(
        archive: Archive, tmp_path: Path) -> None:
    assert suggestions.suggest(archive, "anggaran pembayaran bendahara") == []  # no model yet
    _file_topics(archive, tmp_path / "docs")
    trained = suggestions.retrain(archive)
    assert (trained.documents, trained.codes) == (15, 3)
    assert trained.tested == 3 and trained.trained == 12 and trained.top3 == 1.0
    assert trained.size_bytes > 0 and trained.terms > 0
    with archive.db.read() as session:
        row = session.scalars(select(ClassifierModel)).one()
        assert (row.id, row.documents, row.codes, row.top3) == (trained.model_id, 15, 3, 1.0)
    for code in TOPICS:
        found = suggestions.suggest(archive, _letter(code, 50))
        assert found[0].code == code and 0 < found[0].score <= 1 and len(found) <= 3
    assert suggestions.suggest(archive, "   ") == []
    assert suggestions.suggest(archive, "anggaran pembayaran", k=1)[0].code == "KU.00.03"
    audited = entries(archive, "suggest.train")
    assert [(e.target_type, e.target_id) for e in audited] == [
        ("classifier_model", str(trained.model_id))]
    assert audited[0].details["documents"] == 15


def test_destroyed_records_are_not_learned_from_and_leave_no_words_in_any_model(
        archive: Archive, tmp_path: Path, make_user) -> None:
    _file_topics(archive, tmp_path / "docs")
    old = [_file(archive, tmp_path / "old", "KA.00", i, date="2019-03-01") for i in range(4)]
    first = suggestions.retrain(archive)
    assert first.codes == 4
    assert suggestions.suggest(archive, "rayap jamur gudang lembap")[0].code == "KA.00"

    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    leader = make_approver(archive, "ketua")
    officer = principal_of(archive, "arsip1")
    list_id = destruction.propose(archive, officer, DisposalProposal(document_ids=old))
    destruction.approve(archive, leader, list_id, DisposalApproval(
        reference="KEP-2/HK.01.01/2026", decision_date=DECIDED, password=USER_PASSWORD))
    assert sorted(destruction_execution.execute(archive, officer, list_id,
                                                execution()).destroyed) == old
    # At once: the stored model has lost its words, nothing is suggested, a retraining waits.
    with archive.db.read() as session:
        assert session.scalar(select(ClassifierModel.payload)) == ""
        waiting = list(session.scalars(select(Job.id).where(Job.kind == "suggest.train",
                                                            Job.state == "pending")))
    assert suggestions.suggest(archive, "rayap jamur gudang lembap") == []
    assert suggestions.suggest(archive, "pembayaran kuitansi bendahara") == []
    assert jobs.run_pending(archive, kinds=["suggest.train"]) == {waiting[0]: "done"}

    retrained = int(entries(archive, "suggest.train")[-1].target_id or 0)
    with archive.db.read() as session:
        second = session.get(ClassifierModel, retrained)
    with archive.db.read() as session:
        kept = session.scalar(select(func.count()).select_from(Document)
                              .where(Document.disposition.is_(None)))
        payloads = dict(session.execute(select(ClassifierModel.id, ClassifierModel.payload)).all())
    # What is left: the letters and the destruction's own papers (filed under their code).
    assert second.documents == kept == first.documents - 4 + (kept - 15)
    assert all(s.code != "KA.00" for s in suggestions.suggest(archive, "rayap jamur gudang"))
    assert suggestions.suggest(archive, "pembayaran kuitansi bendahara")[0].code == "KU.00.03"
    assert payloads[first.model_id] == ""  # the older model keeps its figures, not its words
    assert first.top3 is not None and payloads[second.id]
    assert "rayap" not in payloads[second.id]
    assert "KA.00" not in json.loads(payloads[second.id])["codes"]


def test_a_retired_code_is_never_suggested(archive: Archive, tmp_path: Path) -> None:
    _file_topics(archive, tmp_path / "docs")
    suggestions.retrain(archive)
    text = "pembayaran kuitansi bendahara pajak gaji pegawai"
    assert [s.code for s in suggestions.suggest(archive, text)] == ["KU.00.03", "KP.07.00"]
    code = scheme.get_code(archive, "KU.00.03")
    fields = {k: "" if v is None else str(v) for k, v in asdict(code.own).items()
              if k != "retired"}
    scheme.update_code(archive, SYSTEM, SchemeRow.model_validate({**fields, "code": "KU.00.03"}),
                       retired=True)
    shown = [s.code for s in suggestions.suggest(archive, text, k=3)]
    assert shown == ["KP.07.00"]


def test_the_training_job_runs_through_the_job_machinery_and_the_schedule_queues_it_daily(
        archive: Archive, tmp_path: Path) -> None:
    _file_topics(archive, tmp_path / "docs")
    now = dt.datetime(2026, 11, 30, 3, 0)
    assert schedule.run_due(archive, now=now, only={"suggest.train"}) == {"suggest.train": "ok"}
    # The next day's round finds it still waiting and queues no second one.
    later = now + dt.timedelta(days=1)
    assert schedule.run_due(archive, now=later, only={"suggest.train"}) == {"suggest.train": "ok"}
    with archive.db.read() as session:
        queued = list(session.scalars(select(Job).where(Job.kind == "suggest.train")))
    assert [j.state for j in queued] == ["pending"]
    assert jobs.run_pending(archive, kinds=["suggest.train"]) == {queued[0].id: "done"}
    with archive.db.read() as session:
        job = session.get(Job, queued[0].id)
        model = session.scalars(select(ClassifierModel)).one()
    assert job.result == {"model_id": model.id, "documents": 15, "codes": 3,
                          "top1": model.top1, "top3": model.top3}
    assert suggestions.suggest(archive, "patroli pengawas kampanye tps")[0].code == "PM.00.02"


def test_the_train_command_prints_the_held_back_accuracy(
        runner, archive: Archive, tmp_path: Path) -> None:
    _file_topics(archive, tmp_path / "docs")
    result = runner("suggest", "train")
    assert result.exit_code == 0, result.output
    assert "15 dokumen, 3 kode" in result.output
    assert "Akurasi pada 3 dokumen yang disisihkan" in result.output
    assert "top-3 100.0%" in result.output
    assert entries(archive, "suggest.train")[0].actor_name.startswith("cli:")
