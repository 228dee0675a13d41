"""Migration files are found in order and badly named ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.postgres import load_migrations


def test_migrations_load_in_numeric_order(tmp_path: Path) -> None:
    (tmp_path / "0002_add_text.sql").write_text("ALTER TABLE t ADD COLUMN body text;")
    (tmp_path / "0001_create.sql").write_text("CREATE TABLE t (id int);")
    (tmp_path / "README.md").write_text("not a migration")
    migrations = load_migrations(tmp_path)
    assert [(m.version, m.name) for m in migrations] == [(1, "0001_create"), (2, "0002_add_text")]
    assert migrations[0].checksum != migrations[1].checksum


@pytest.mark.parametrize("name", ["1_create.sql", "0001-Create.sql", "create.sql"])
def test_badly_named_sql_file_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(ValueError, match=r"NNNN_lower_snake\.sql"):
        load_migrations(tmp_path)


def test_duplicate_numbers_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 2;")
    with pytest.raises(ValueError, match="duplicate"):
        load_migrations(tmp_path)
