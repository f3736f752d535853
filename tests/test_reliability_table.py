"""The bad-input table of the reliability work as a whole: every case of every reader module
(``tests/test_reliability_<reader>.py``, listed in ``reliability_cases.READER_MODULES``) has a
unique id and one row in ``docs/RELIABILITY.md``, and no row lacks its case.
"""

from __future__ import annotations

import re

from reliability_cases import CASES, READER_MODULES, TESTS, doc_nodes, load_all

load_all()  # import every reader module so that CASES is complete


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_reliability_table_lists_every_case():
    """docs/RELIABILITY.md has one row per case, and no row without a case."""
    # every module that runs bad-input cases is listed, so that load_all() found all the cases
    with_cases = sorted(p.stem for p in TESTS.glob("test_*.py") if re.search(r"^CASES = cases_in\(", p.read_text(), re.M))
    assert with_cases == sorted(READER_MODULES)
    nodes = doc_nodes()
    doc = [id for _, id in nodes]
    ids = [c.id for c in CASES]
    assert sorted(set(doc)) == sorted(ids), (sorted(set(ids) - set(doc)), sorted(set(doc) - set(ids)))
    assert len(doc) == len(set(doc))
    # each row names the module that holds its case
    assert sorted(nodes) == sorted((c.module, c.id) for c in CASES)
