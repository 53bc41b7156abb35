"""The embedded store passes Haystack's own DocumentStore protocol suites (count, write, delete, filter)."""

from __future__ import annotations

import pytest
from haystack import Document
from haystack.testing.document_store import DocumentStoreBaseTests

from corpus.stores.embedded import EmbeddedDocumentStore


class TestEmbeddedDocumentStoreProtocol(DocumentStoreBaseTests):
    @pytest.fixture
    def document_store(self, request: pytest.FixtureRequest, data_dir) -> EmbeddedDocumentStore:
        return EmbeddedDocumentStore(collection="protocol", path=str(data_dir / "protocol.sqlite3"))

    @staticmethod
    def assert_documents_are_equal(received: list[Document], expected: list[Document]) -> None:
        """Embeddings are stored as float32 (half the size of float64), so compare them approximately."""
        assert len(received) == len(expected)
        received = sorted(received, key=lambda d: d.id)
        expected = sorted(expected, key=lambda d: d.id)
        for got, want in zip(received, expected, strict=True):
            assert got.id == want.id
            assert got.content == want.content
            assert got.meta == want.meta
            assert got.blob == want.blob
            if want.embedding is None:
                assert got.embedding is None
            else:
                assert got.embedding == pytest.approx(want.embedding, rel=1e-6, abs=1e-6)

    def test_write_documents(self, document_store: EmbeddedDocumentStore) -> None:
        """The default policy (NONE) behaves as FAIL: a second write of the same id is refused, nothing changes."""
        from haystack.document_stores.errors import DuplicateDocumentError

        doc = Document(content="工房は平日の午後4時から開いています。")
        assert document_store.write_documents([doc]) == 1
        with pytest.raises(DuplicateDocumentError):
            document_store.write_documents([doc, Document(content="新しい文書")])
        # The failed batch was one transaction: the new document in it was not written either.
        self.assert_documents_are_equal(document_store.filter_documents(), [doc])
