"""The one locale table: every message a user can read, in Japanese (default) and English.

Library code raises errors that carry a message *key* and parameters (see `corpus.errors.CorpusError`);
the CLI and the UI turn them into text with :func:`t` in the user's language.
Keys are grouped by where they appear: `err.*` (errors), `cli.*` (command line), `ui.*` (the Gradio app).
"""

from __future__ import annotations

from tokka.settings import get_settings

LANGUAGES = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # ---- ingestion errors (one per kind of bad input) -------------------------------------------------------
    "err.not_found": {
        "ja": "ファイルが見つかりません: {path}",
        "en": "File not found: {path}",
    },
    "err.empty_file": {
        "ja": "ファイルが空です (0 バイト)。中身のあるファイルを選んでください。",
        "en": "The file is empty (0 bytes). Choose a file with content.",
    },
    "err.unsupported_type": {
        "ja": "対応していないファイル形式です ({ext})。対応形式: {supported}",
        "en": "Unsupported file type ({ext}). Supported: {supported}",
    },
    "err.too_large": {
        "ja": "ファイルが大きすぎます ({size_mb} MB、上限 {limit_mb} MB)。"
        "ファイルを分けるか、設定 TOKKA_MAX_FILE_MB で上限を上げてください。",
        "en": "The file is too large ({size_mb} MB, limit {limit_mb} MB). "
        "Split it, or raise the limit with TOKKA_MAX_FILE_MB.",
    },
    "err.binary_text": {
        "ja": "テキストとして読めません (中身はバイナリデータのようです)。拡張子が正しいか確かめてください。",
        "en": "This cannot be read as text (it looks like binary data). Check that the file extension is right.",
    },
    "err.undecodable": {
        "ja": "文字コードを判別できません。UTF-8 で保存し直してから追加してください。",
        "en": "The text encoding could not be detected. Save the file as UTF-8 and add it again.",
    },
    "err.no_text": {
        "ja": "本文が見つかりません ({detail})。本文のあるファイルか、別のページを選んでください。",
        "en": "No body text was found ({detail}). Choose a file or page that has text.",
    },
    "err.pdf_corrupt": {
        "ja": "PDF が壊れているか、PDF ではありません ({detail})。元のファイルから保存し直してください。",
        "en": "The PDF is damaged or not a PDF ({detail}). Save it again from the original.",
    },
    "err.pdf_encrypted": {
        "ja": "PDF がパスワードで保護されています。保護を解除した PDF を追加してください。",
        "en": "The PDF is password-protected. Add a copy without the protection.",
    },
    "err.pdf_no_text": {
        "ja": "PDF から文字を取り出せません (画像だけの PDF のようです)。OCR で文字を付けてから追加してください。",
        "en": "No text could be extracted from the PDF (it seems to be images only). Run OCR on it first.",
    },
    "err.office_corrupt": {
        "ja": "{kind} ファイルとして開けません ({detail})。Office などで開いて保存し直してください。",
        "en": "This cannot be opened as a {kind} file ({detail}). Open and save it again in an office program.",
    },
    "err.table_bad": {
        "ja": "表 (CSV) を読めません ({detail})。区切り文字と文字コードを確かめてください。",
        "en": "The table (CSV) could not be read ({detail}). Check the delimiter and the encoding.",
    },
    "err.json_bad": {
        "ja": "JSON を読めません ({line} 行目: {detail})。",
        "en": "The JSON could not be read (line {line}: {detail}).",
    },
    "err.json_no_text_field": {
        "ja": "JSON に本文の欄が見つかりません。{fields} のどれかに本文を入れてください。",
        "en": "No text field was found in the JSON. Put the text in one of: {fields}.",
    },
    "err.read_failed": {
        "ja": "ファイルを読めません ({detail})。",
        "en": "The file could not be read ({detail}).",
    },
    "err.cancelled": {
        "ja": "取り消されました。",
        "en": "Cancelled.",
    },
    # ---- store errors ----------------------------------------------------------------------------------------
    "err.embedding_mismatch": {
        "ja": "コレクション「{collection}」は埋め込みモデル {expected} で作られています。"
        "{got} の埋め込みは混ぜられません。同じモデルを使うか、コレクションを作り直してください (再インデックス)。",
        "en": "Collection '{collection}' was embedded with {expected}; embeddings from {got} cannot be mixed in. "
        "Use the same model, or re-index the collection.",
    },
    "err.tokenizer_mismatch": {
        "ja": "コレクション「{collection}」は BM25 トークナイザー {expected} で作られています。{got} は混ぜられません。"
        "インデックス用 YAML の tokenizer を {expected} に戻すか、コレクションを作り直してください。",
        "en": "Collection '{collection}' was tokenised with {expected}; {got} cannot be mixed in. "
        "Set the indexing YAML's tokenizer back to {expected}, or re-index the collection.",
    },
    "err.collection_not_found": {
        "ja": "コレクション「{collection}」はありません。今あるもの: {available}",
        "en": "Collection '{collection}' does not exist. Available: {available}",
    },
    "err.duplicate_document": {
        "ja": "同じ ID の文書がすでにあります: {ids}",
        "en": "Documents with these ids already exist: {ids}",
    },
    "err.invalid_name": {
        "ja": "コレクション名「{name}」は使えません。英数字・かな漢字・ - _ . だけで 64 文字以内にしてください。",
        "en": "'{name}' cannot be a collection name. Use letters, digits, kana/kanji, - _ . (64 characters at most).",
    },
    "err.embedder_unavailable": {
        "ja": "埋め込みモデル {model} を使えません ({detail})。Ollama を起動して `ollama pull {model}` を実行するか、"
        "TOKKA_EMBEDDER=offline にしてください。",
        "en": "The embedding model {model} is not available ({detail}). Start Ollama and run `ollama pull {model}`, "
        "or set TOKKA_EMBEDDER=offline.",
    },
    "err.source_not_found": {
        "ja": "「{source}」はコレクション「{collection}」にありません。"
        "`python -m corpus list -c {collection}` で確かめてください。",
        "en": "'{source}' is not in collection '{collection}'. Check with `python -m corpus list -c {collection}`.",
    },
    "detail.ollama_unreachable": {"ja": "Ollama に接続できません", "en": "Ollama cannot be reached"},
    "detail.model_missing": {"ja": "Ollama にモデルがありません", "en": "the model is not pulled in Ollama"},
    # ---- notices ---------------------------------------------------------------------------------------------
    "notice.bm25_only": {
        "ja": "コレクション「{collection}」には埋め込みがないため、キーワード検索 (BM25) だけで探しています。",
        "en": "Collection '{collection}' has no embeddings, so only keyword search (BM25) is used.",
    },
    "notice.offline_embedder": {
        "ja": "Ollama の埋め込みモデル {model} が使えないため、オフライン埋め込み ({fallback}) を使います。",
        "en": "The Ollama embedding model {model} is not available; using the offline embedder ({fallback}).",
    },
    # ---- corpus CLI ------------------------------------------------------------------------------------------
    "cli.summary": {
        "ja": "追加 {added} / 更新 {updated} / 変更なし {unchanged} / 失敗 {failed}",
        "en": "added {added} / updated {updated} / unchanged {unchanged} / failed {failed}",
    },
    "cli.failed_item": {"ja": "  失敗: {source}: {reason}", "en": "  failed: {source}: {reason}"},
    "cli.progress": {"ja": "取り込み中", "en": "Ingesting"},
    "cli.no_files": {
        "ja": "取り込めるファイルが見つかりません: {paths}",
        "en": "No files to ingest were found in: {paths}",
    },
    "cli.collections_header": {
        "ja": "コレクション  文書数  チャンク数  埋め込みモデル  最終更新",
        "en": "collection  documents  chunks  embedding model  last update",
    },
    "cli.no_collections": {
        "ja": "コレクションはまだありません。`python -m corpus add PATH --collection NAME` で作れます。",
        "en": "No collections yet. Create one with `python -m corpus add PATH --collection NAME`.",
    },
    "cli.removed": {
        "ja": "削除しました: {source} (チャンク {chunks} 件)",
        "en": "Removed: {source} ({chunks} chunks)",
    },
    "cli.no_results": {"ja": "見つかりませんでした。", "en": "Nothing was found."},
    "cli.query_tokens": {"ja": "検索語: {tokens}", "en": "query tokens: {tokens}"},
    "cli.search_mode": {"ja": "検索方式: {mode}", "en": "retrieval: {mode}"},
    "cli.none": {"ja": "(なし)", "en": "(none)"},
    "cli.samples_indexed": {
        "ja": "サンプル文書をコレクション「{collection}」に取り込みました。",
        "en": "The sample documents were indexed into collection '{collection}'.",
    },
    "cli.demo_intro": {
        "ja": "サンプル文書 (コレクション「{collection}」) を検索できます。質問を入力してください。空行で終了します。"
        "\n例: 3Dプリンターは何時までに予約すればいい? / レーザーカッターで加工できない材料は?",
        "en": "Search the sample documents (collection '{collection}'). Type a question; an empty line quits."
        "\nExamples: 3Dプリンターは何時までに予約すればいい? / レーザーカッターで加工できない材料は?",
    },
    "cli.demo_prompt": {"ja": "質問> ", "en": "question> "},
    "cli.interrupted": {
        "ja": "中断しました。もう一度 add を実行すると残りを取り込みます。",
        "en": "Interrupted. Run add again to ingest the rest.",
    },
}


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Return the message `key` in `lang` (default: the configured language), filled with `params`.

    A missing translation falls back to Japanese, then to the key itself, so a message is never lost.
    """
    lang = lang or get_settings().language
    entry = MESSAGES.get(key)
    if entry is None:
        return key if not params else f"{key} {params}"
    template = entry.get(lang) or entry["ja"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
