"""A small concept lexicon of our own, so these tests do not change when the board's lexicon grows."""

from __future__ import annotations

import pytest

HEADER = "concept\tcategory\tde\ten\tar\tfa\tuk\tru\ttr\tfr\tps\tti\tku\tso"
ROWS = [
    ("bed-child", "furniture-household", "Kinderbett|Kinderbetten", "children's bed|cot",
     "سرير أطفال|سرير طفل", "تخت بچه", "дитяче ліжко", "детская кровать", "çocuk yatağı", "lit d'enfant",
     "", "", "", ""),
    ("bed", "furniture-household", "Bett|Betten", "bed|beds", "سرير", "تخت", "ліжко", "кровать", "yatak",
     "lit", "", "", "", ""),
    ("pram", "baby-children", "Kinderwagen", "pram|baby carriage", "عربة أطفال", "کالسکه", "дитячий візок",
     "детская коляска", "bebek arabası", "poussette", "", "", "", ""),
    ("washing-machine", "furniture-household", "Waschmaschine|Waschautomat", "washing machine", "غسالة",
     "ماشین لباسشویی", "пральна машина", "стиральная машина", "çamaşır makinesi", "machine à laver", "",
     "", "", ""),
    ("german-course", "language", "Deutschkurs|Deutschkurse", "German course", "دورة لغة ألمانية",
     "کلاس زبان آلمانی", "курси німецької мови", "курсы немецкого языка", "Almanca kursu",
     "cours d'allemand", "", "", "", ""),
    ("child", "", "Kind|Kinder", "child|children", "طفل|أطفال", "کودک|بچه", "дитина|діти", "ребёнок|дети",
     "çocuk", "enfant", "", "", "", ""),
    ("family", "", "Familie", "family", "عائلة", "خانواده", "сім'я", "семья", "aile", "famille", "", "", "",
     ""),
]


BROADER_HEADER = "concept\tcategory\tbroader\tde\ten\tar\tfa\tuk\tru\ttr\tfr\tps\tti\tku\tso"


@pytest.fixture
def write_lexicon(tmp_path):
    """Writes a lexicon file of (concept, category, broader, de, en, ...) rows, the missing cells empty."""

    def write(rows: list[tuple[str, ...]]) -> str:
        path = tmp_path / "concepts.tsv"
        columns = BROADER_HEADER.count("\t") + 1
        lines = [BROADER_HEADER] + ["\t".join(row + ("",) * (columns - len(row))) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def lexicon_file(tmp_path):
    path = tmp_path / "concepts.tsv"
    lines = [HEADER] + ["\t".join(row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def app_config(app_config, lexicon_file):
    return {**app_config, "BULLETIN_CONCEPTS_FILE": lexicon_file}
