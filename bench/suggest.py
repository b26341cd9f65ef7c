"""Suggested classification: top-1 and top-3 accuracy on held-back letters, size and time.

Three data sets, each split per code (80% trains, 20% is held back, `earsip.suggest.split`):

- ``hard``: synthetic letters of 40-120 words whose topics overlap the way an office's do.
  Sibling codes (PM.00.02 and PM.01.02, PP.00.02 and PP.01.02, ...) share most of their topic
  words through their family's pool; each letter is mostly general administrative prose drawn
  from ``vocab_id.txt`` by frequency, wrapped in the same letter formulas, with only ~8% topic
  words, a quarter of which come from another code, and each code's own words include half
  of each sibling's; 5% of the letters are filed under a sibling
  code (misfiled, as in a real office) and the codes are unevenly sized (8 to 150 letters).
- ``easy``: the same generator with 30% topic words, none borrowed, nothing misfiled: what a
  too-kind benchmark would report.
- ``regulations``: real Indonesian text, passages of 40-120 words cut from the first 20 pages
  of the regulations in ``../shared/corpus/realworld/indonesian/`` (pypdf), each labelled with
  the regulation it comes from. Held-back passages share names and terms with their
  regulation's other passages, so this flatters the model; it shows how it copes with real
  morphology and legal boilerplate shared among ~50 classes. Skipped when the folder is missing.

Baselines in the same run on the same splits: the most frequent code (what a form's default
would get right) and the other trainer (`nb`), each with and without Sastrawi stemming. Each
figure is the mean over five different held-back splits; the range of top-1 is shown beside it,
and the share of wrong first codes that are a sibling of the right one (same family).

Usage: ``python -m bench.suggest [--quick]`` prints the table and then the result as JSON.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench import part_main
from bench.corpus import Vocabulary
from bench.load import load_synthetic, open_archive
from config import PROJECT_ROOT
from earsip import suggest

SEED = 2026
SPLITS = (0, 1, 2, 3, 4)  # each figure is the mean over these five held-back splits
REGULATIONS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld" / "indonesian"
PAGES = 20  # read from each regulation (the long ones go on for hundreds of pages)

# Topic words per family (shared by its codes) and per code (its own), hand-written from the
# seed scheme's names and what such letters say.
FAMILIES: dict[str, str] = {
    "PM": "pengawasan tahapan pemilu pemilihan pengawas kecamatan kelurahan desa tps panwaslu "
          "pengawas ad hoc pemutakhiran data pemilih kampanye rekapitulasi hasil",
    "PP": "pelanggaran dugaan temuan laporan pelapor terlapor klarifikasi kajian awal "
          "penanganan bukti saksi register status tindak lanjut sentra gakkumdu",
    "PS": "sengketa proses permohonan pemohon termohon musyawarah mediasi putusan ajudikasi "
          "berita acara penyelesaian majelis",
    "KA": "surat arsip naskah dinas agenda ekspedisi tata persuratan kearsipan berkas",
    "KU": "anggaran belanja pembayaran kas bendahara pertanggungjawaban realisasi dipa pagu "
          "kuitansi pajak",
    "KP": "pegawai kepegawaian jabatan pangkat golongan cuti gaji asn pppk",
    "HK": "hukum peraturan keputusan ketua produk penetapan rancangan pasal ketentuan",
    "HM": "informasi publikasi media berita humas ppid permohonan informasi",
}
CODES: dict[str, str] = {
    "PM.00.02": "instrumen alat kerja formulir model pencegahan patroli pengawasan melekat "
                "bimbingan teknis pengawas",
    "PM.01.02": "hasil pengawasan laporan formulir model a temuan lapangan rekap laporan "
                "harian mingguan",
    "PM.02.02": "rekomendasi perbaikan saran kpu tindak lanjut rekomendasi koreksi",
    "PM.03": "sosialisasi masyarakat pemilih pemula sekolah kampus spanduk brosur talkshow",
    "PM.05": "partisipatif relawan komunitas pengawasan partisipatif kader organisasi",
    "PP.00.02": "temuan pengawas inisiatif hasil pengawasan ditemukan form temuan",
    "PP.01.02": "laporan masyarakat penerimaan laporan formulir laporan pelapor identitas",
    "PP.02": "pidana gakkumdu kepolisian kejaksaan penyidikan pembahasan",
    "PS.01": "sengketa antarpeserta partai calon verifikasi pendaftaran",
    "KA.00": "surat masuk surat keluar agenda disposisi penomoran tembusan",
    "KA.01.04": "penyusutan usul musnah pemusnahan retensi jra berita acara pemusnahan",
    "KA.02": "rapat undangan rapat koordinasi notulen daftar hadir rakor",
    "KU.00.00": "dipa pok revisi anggaran rencana kegiatan pagu indikatif",
    "KU.00.03": "spp spm sp2d spj pencairan uang persediaan tambahan nota",
    "KP.07.00": "data pegawai riwayat hidup sk pengangkatan kenaikan pangkat mutasi",
    "HK.01.01": "surat keputusan penetapan sk pembentukan tim menetapkan",
    "HK.03.06": "konsultasi hukum pengaduan advokasi pendampingan",
    "HM.00.02": "siaran pers media sosial website layanan informasi konferensi",
}
OPENINGS = ("Kepada Yth.", "Dengan hormat,", "Sehubungan dengan", "Menindaklanjuti",
            "Berdasarkan", "Dalam rangka", "Bersama ini kami sampaikan")
CLOSINGS = ("Demikian disampaikan, atas perhatian dan kerja sama Bapak/Ibu diucapkan terima kasih.",
            "Demikian untuk menjadi perhatian.", "Atas perhatiannya kami ucapkan terima kasih.")
# Per code, how many letters: uneven, as an office files.
SIZES = (150, 120, 90, 80, 70, 60, 50, 45, 40, 35, 30, 25, 20, 18, 15, 12, 10, 8)


def _family(code: str) -> str:
    return code.split(".")[0]


def synthetic(*, topic_share: float, borrowed: float, misfiled: float, overlap: float,
              scale: float = 1.0, seed: int = SEED) -> list[tuple[str, str]]:
    """Return (code, text) letters of 40-120 words from the generator described above."""
    rng = random.Random(seed)
    vocab = Vocabulary.load()
    codes = sorted(CODES)
    rng.shuffle(codes)
    family = {c: FAMILIES[_family(c)].split() for c in codes}
    siblings = {c: [o for o in codes if o != c and _family(o) == _family(c)] for c in codes}
    # A code's own words include a share (`overlap`) of each sibling's: PM.00.02 and PM.01.02
    # both speak of "laporan" and "hasil pengawasan".
    own = {}
    for c in codes:
        words = CODES[c].split()
        for o in siblings[c]:
            theirs = CODES[o].split()
            words += rng.sample(theirs, round(len(theirs) * overlap))
        own[c] = words
    letters = []
    for code, size in zip(codes, SIZES, strict=True):
        for _ in range(max(2, round(size * scale))):
            n = rng.randint(40, 120)
            topic = round(n * topic_share)
            words = vocab.sample(rng, n - topic)
            for _ in range(topic):
                r = rng.random()
                if r < borrowed:
                    pool = own[rng.choice([o for o in codes if o != code])]
                elif r < borrowed + (1 - borrowed) * 0.55:
                    pool = family[code]
                else:
                    pool = own[code]
                words.insert(rng.randrange(len(words) + 1), rng.choice(pool))
            subject = [rng.choice(family[code] if rng.random() < 0.5 else own[code])
                       for _ in range(rng.randint(2, 5))]
            text = (f"{rng.randint(1, 400)}/{code}/K.JI-11.07/{rng.randint(1, 12):02d}/2024\n"
                    f"Perihal: {' '.join(subject)}\n{rng.choice(OPENINGS)} {' '.join(words)}\n"
                    f"{rng.choice(CLOSINGS)}")
            label = code
            if siblings[code] and rng.random() < misfiled:
                label = rng.choice(siblings[code])
            # The number carries the code: the desk reads it from there. The suggester must
            # learn from the words, so the number's code is left out of what it reads.
            letters.append((label, text.replace(f"/{code}/", "/")))
    return letters


def regulations(limit: int | None = None) -> list[tuple[str, str]]:
    """Return (regulation, passage) pairs of 40-120 words cut from the real regulations."""
    if not REGULATIONS.is_dir():
        return []
    from pypdf import PdfReader

    rng = random.Random(SEED)
    out = []
    for pdf in sorted(REGULATIONS.glob("*.pdf"))[:limit]:
        try:
            pages = PdfReader(pdf).pages[:PAGES]
            words = " ".join(page.extract_text() or "" for page in pages).split()
        except Exception as e:  # noqa: BLE001 - a damaged file is left out, said so
            print(f"bench.suggest: {pdf.name} skipped: {e}", file=sys.stderr)
            continue
        label = pdf.stem.removeprefix("id_")
        i, taken = 0, 0
        while i + 40 <= len(words) and taken < 60:
            n = rng.randint(40, 120)
            passage = words[i:i + n]
            if sum(w.isalpha() for w in passage) >= 20:  # not a table of figures
                out.append((label, " ".join(passage)))
                taken += 1
            i += n + rng.randint(0, 300)  # spread over the whole regulation
    counts = Counter(label for label, _ in out)
    return [(label, text) for label, text in out if counts[label] >= 5]


def _stemmer() -> Callable[[str], str] | None:
    try:
        from earsip.search.analysis import stem
    except ImportError:
        return None
    return stem


def _majority(samples: list[tuple[str, str]]) -> dict:
    top1, top3 = [], []
    for seed in SPLITS:
        train_set, test_set = suggest.split(samples, seed=seed)
        top = [c for c, _ in Counter(c for c, _ in train_set).most_common(3)]
        top1.append(sum(c == top[0] for c, _ in test_set) / len(test_set))
        top3.append(sum(c in top for c, _ in test_set) / len(test_set))
    return {"top1": round(statistics.mean(top1), 3), "top3": round(statistics.mean(top3), 3)}


def _family(label: str) -> str:
    """Return a label's family: PM of PM.00.02, permenkominfo of permenkominfo_2007_011."""
    return re.split(r"[._]", label)[0]


def _measure(samples: list[tuple[str, str]], *, method: str,
             stem: Callable[[str], str] | None, terms_per_code: int = suggest.TERMS_PER_CODE
             ) -> dict:
    """Train and score on each split of SPLITS; return the mean figures, the range of top-1,
    the share of wrong first codes that are a sibling of the right one, size and time."""
    top1, top3, wrong, sibling = [], [], 0, 0
    for seed in SPLITS:
        train_set, test_set = suggest.split(samples, seed=seed)
        t0 = time.perf_counter()
        model = suggest.train(train_set, method=method, stem=stem,
                              terms_per_code=terms_per_code)
        if seed == SPLITS[0]:
            trained_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            accuracy = suggest.score(model, test_set)
            per_letter_ms = (time.perf_counter() - t0) / max(1, accuracy.n_test) * 1000
            payload = model.to_json()
        else:
            accuracy = suggest.score(model, test_set)
        top1.append(accuracy.top1 or 0)
        top3.append(accuracy.top3 or 0)
        for code, text in test_set:
            ranked = model.suggest(text, k=1)
            if ranked and ranked[0][0] != code:
                wrong += 1
                sibling += _family(ranked[0][0]) == _family(code)
    return {"top1": round(statistics.mean(top1), 3), "top3": round(statistics.mean(top3), 3),
            "top1_range": [round(min(top1), 3), round(max(top1), 3)],
            "sibling_errors": round(sibling / wrong, 3) if wrong else None,
            "n_train": accuracy.n_train, "n_test": accuracy.n_test,
            "codes": len(model.codes), "terms": len(model.idf),
            "json_kb": round(len(payload.encode()) / 1024, 1),
            "train_s": round(trained_s, 2), "suggest_ms": round(per_letter_ms, 2)}


def run(workdir: Path, *, quick: bool) -> dict:
    """Measure the trainers and the baseline on each data set."""
    stem = _stemmer()
    sets = {
        "hard": synthetic(topic_share=0.08, borrowed=0.25, misfiled=0.05, overlap=0.5,
                          scale=0.5 if quick else 1.0),
        "easy": synthetic(topic_share=0.30, borrowed=0.0, misfiled=0.0, overlap=0.0,
                          scale=0.5 if quick else 1.0),
        "regulations": regulations(limit=12 if quick else None),
    }
    result: dict = {"name": "suggest", "sets": {}}
    for name, samples in sets.items():
        if not samples:
            result["sets"][name] = {"skipped": "no data"}
            continue
        rows = {"majority": _majority(samples)}
        for method in suggest.METHODS:
            rows[method] = _measure(samples, method=method, stem=None)
            if stem is not None:
                rows[f"{method}+stem"] = _measure(samples, method=method, stem=stem)
        result["sets"][name] = {"letters": len(samples),
                                "codes": len({c for c, _ in samples}), "rows": rows}
    # How the figures move with the share of topic words in a letter (the rest as `hard`), with
    # the vocabulary kept per code, and the time and size for a large office (the default
    # trainer, unstemmed, as the service runs it).
    result["topic_share"] = {
        str(share): _measure(synthetic(topic_share=share, borrowed=0.25, misfiled=0.05,
                                       overlap=0.5, scale=0.5 if quick else 1.0),
                             method="centroid", stem=None)
        for share in (0.04, 0.08, 0.12, 0.2)}
    result["terms_per_code"] = {
        str(n): _measure(sets["hard"], method="centroid", stem=None, terms_per_code=n)
        for n in (50, 100, 200, 400, 1000)}
    large = synthetic(topic_share=0.08, borrowed=0.25, misfiled=0.05, overlap=0.5,
                      scale=2.0 if quick else 10.0)
    result["large"] = {"letters": len(large), **_measure(large, method="centroid", stem=None)}
    result["service"] = service(workdir / "suggest", 2000 if quick else 20000)
    return result


def service(folder: Path, n: int) -> dict:
    """Time `retrain` and `suggest` on an archive of `n` filed texts (~2.3 KB each, inserted
    as the reindex benchmark does; their words are random, so only time and size are read)."""
    from earsip.services.desk import suggestions

    shutil.rmtree(folder, ignore_errors=True)
    archive = open_archive(folder)
    try:
        load_synthetic(archive, n)
        trained = suggestions.retrain(archive)
        letter = synthetic(topic_share=0.08, borrowed=0.25, misfiled=0.05, overlap=0.5,
                           scale=0.1)[0][1]
        t0 = time.perf_counter()
        suggestions.suggest(archive, letter)
        first_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        for _ in range(20):
            suggestions.suggest(archive, letter)
        next_ms = (time.perf_counter() - t0) / 20 * 1000
    finally:
        archive.close()
    return {"documents": trained.documents, "codes": trained.codes,
            "retrain_s": trained.seconds, "model_kb": round(trained.size_bytes / 1024, 1),
            "first_suggest_ms": round(first_ms, 1), "suggest_ms": round(next_ms, 1)}


def table(result: dict) -> str:
    """Return the result as a Markdown table."""
    lines = ["| data | letters | codes | method | top-1 | top-1 range | top-3 | wrong first code "
             "a sibling | model KB | train s |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for name, data in result["sets"].items():
        if "rows" not in data:
            lines.append(f"| {name} | – | – | skipped: {data['skipped']} | | | | | | |")
            continue
        for method, row in data["rows"].items():
            spread = "–".join(f"{v:.3f}" for v in row.get("top1_range", [])) or "–"
            siblings = row.get("sibling_errors")
            lines.append(f"| {name} | {data['letters']} | {data['codes']} | {method} | "
                         f"{row['top1']:.3f} | {spread} | {row['top3']:.3f} | "
                         f"{'–' if siblings is None else f'{siblings:.0%}'} | "
                         f"{row.get('json_kb', '–')} | {row.get('train_s', '–')} |")
    lines += ["", "| topic words in a letter (hard, centroid) | top-1 | top-3 |",
              "|---|---:|---:|"]
    for share, row in result.get("topic_share", {}).items():
        lines.append(f"| {float(share):.0%} | {row['top1']:.3f} | {row['top3']:.3f} |")
    lines += ["", "| terms kept per code (hard, centroid) | top-1 | top-3 | model KB |",
              "|---:|---:|---:|---:|"]
    for n, row in result.get("terms_per_code", {}).items():
        lines.append(f"| {n} | {row['top1']:.3f} | {row['top3']:.3f} | {row['json_kb']} |")
    large = result.get("large")
    if large:
        lines += ["", f"Large office ({large['letters']} letters, {large['codes']} codes, "
                  f"centroid): trained on {large['n_train']} in {large['train_s']} s, "
                  f"{large['suggest_ms']} ms a suggestion, model {large['json_kb']} KB, "
                  f"top-1 {large['top1']:.3f}, top-3 {large['top3']:.3f}."]
    done = result.get("service")
    if done:
        lines += ["", f"Service on an archive of {done['documents']} filed texts "
                  f"({done['codes']} codes): `retrain` {done['retrain_s']} s (reading, "
                  f"measuring, training), model {done['model_kb']} KB; `suggest` "
                  f"{done['first_suggest_ms']} ms the first time in a process (reading the "
                  f"model), then {done['suggest_ms']} ms."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table, then the JSON result."""
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = part_main(run, __doc__ or "", argv)
    import json

    print(table(json.loads(buffer.getvalue())))
    print(buffer.getvalue(), end="")
    return code


if __name__ == "__main__":
    sys.exit(main())
