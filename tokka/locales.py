"""The one locale table: every message a user can read, in Japanese (default) and English.

Library code raises errors that carry a message *key* and parameters (see `tokka.errors.TokkaError`);
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
    # ---- limits on untrusted input (files, archives, paths) --------------------------------------------------
    "err.archive_too_large": {
        "ja": "{kind} ファイルを展開すると大きくなりすぎます ({detail})。壊れているか、通常の文書ではないようです。内容を分けて保存し直してください。",
        "en": "This {kind} file unpacks to too much data ({detail}). It is damaged or not an ordinary document; save the content in smaller files.",
    },
    "err.sheet_too_large": {
        "ja": "表のセルが多すぎます (上限 {cells} セル)。シートを分けるか、CSV で必要な部分だけを保存してください。",
        "en": "The workbook has too many cells (limit {cells}). Split the sheets, or save the part you need as CSV.",
    },
    "err.load_timeout": {
        "ja": "ファイルの読み取りが {seconds} 秒で終わらなかったため止めました。壊れているか、大きすぎる可能性があります。ファイルを分けて追加してください。",
        "en": "Reading the file did not finish within {seconds} seconds, so it was stopped. It may be damaged or too large; split it and add the parts.",
    },
    "err.load_crashed": {
        "ja": "ファイルの読み取り中に処理が止まりました (メモリ上限 {memory_mb} MB を超えたか、ファイルが壊れています)。ほかのファイルには影響ありません。保存し直すか、分けて追加してください。",
        "en": "Reading the file stopped (it needed more than the {memory_mb} MB memory limit, or the file is damaged). Other files are not affected; save it again or split it.",
    },
    "err.load_memory": {
        "ja": "ファイルを読むのに必要なメモリが上限 ({memory_mb} MB) を超えました。ファイルを分けて追加してください。",
        "en": "Reading the file needed more than the memory limit ({memory_mb} MB). Split the file and add the parts.",
    },
    "err.path_outside": {
        "ja": "「{name}」は使えません (決められたフォルダの外を指しています)。",
        "en": "'{name}' cannot be used (it points outside its folder).",
    },
    "err.page_timeout": {
        "ja": "{url} の取得が {seconds} 秒以内に終わらなかったため止めました。",
        "en": "Fetching {url} did not finish within {seconds} seconds, so it was stopped.",
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
    "err.es_unreachable": {
        "ja": "Elasticsearch ({url}) に接続できません ({detail})。サーバーが起動しているか (docker compose ps)、URL が正しいか確かめてください。",
        "en": "Elasticsearch ({url}) cannot be reached ({detail}). Check that it is running (docker compose ps) and the URL is right.",
    },
    "err.es_auth": {
        "ja": "Elasticsearch ({url}) にログインできません。ELASTIC_API_KEY か ELASTIC_USER / ELASTIC_PASSWORD を確かめてください。",
        "en": "Elasticsearch ({url}) refused the credentials. Check ELASTIC_API_KEY or ELASTIC_USER / ELASTIC_PASSWORD.",
    },
    "err.es_read_only": {
        "ja": "Elasticsearch ({url}) が読み取り専用になっています (ディスクの空きが少ないとき自動でそうなります)。ディスクを空けてから、インデックスの read_only_allow_delete 設定を外してください。",
        "en": "Elasticsearch ({url}) is read-only (it does this by itself when the disk is nearly full). Free disk space, then clear the index's read_only_allow_delete block.",
    },
    "err.es_dimension": {
        "ja": "Elasticsearch のインデックスは別の次元数の埋め込みで作られています ({detail})。コレクションを作り直すか、同じ埋め込みモデルを使ってください。",
        "en": "The Elasticsearch index was made for embeddings of another dimension ({detail}). Re-create the collection or use the same embedding model.",
    },
    "err.es_failed": {
        "ja": "Elasticsearch がエラーを返しました: {detail}",
        "en": "Elasticsearch returned an error: {detail}",
    },
    "err.collection_exists": {
        "ja": "コレクション「{collection}」はすでにあります。別の名前にしてください。",
        "en": "Collection '{collection}' already exists. Choose another name.",
    },
    "err.confirm_delete": {
        "ja": "削除するには、確認欄にコレクション名「{collection}」をそのまま入力してください。",
        "en": "To delete, type the collection name '{collection}' exactly into the confirmation box.",
    },
    "err.chunk_not_found": {
        "ja": "チャンク {chunk} はコレクション「{collection}」にありません (削除されたか、再取り込みで番号が変わりました)。",
        "en": "Chunk {chunk} is not in collection '{collection}' (it was removed, or re-indexing changed it).",
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
        "ja": "コレクション名「{name}」は使えません。英数字・かな漢字・ - _ . だけで 64 文字以内にしてください (先頭に . は使えません)。",
        "en": "'{name}' cannot be a collection name. Use letters, digits, kana/kanji, - _ . (64 characters at most, not starting with .).",
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
    # ---- assistant files (pipelines/assistants/*.yaml) -------------------------------------------------------
    "err.yaml_syntax": {
        "ja": "YAML の書き方に誤りがあります ({detail})。字下げ (インデント) と、コロンの後の空白を確かめてください。",
        "en": "The YAML is not well formed ({detail}). Check the indentation and the space after each colon.",
    },
    "err.yaml_alias": {
        "ja": "YAML のエイリアス (*{alias}) は使えません。同じ内容をそのまま書いてください。",
        "en": "YAML aliases (*{alias}) are not allowed. Write the content out in full.",
    },
    "err.yaml_too_large": {
        "ja": "ファイルが大きすぎます (上限 {limit_kb} KB)。アシスタントの設定ファイルは数 KB のはずです。",
        "en": "The file is too large (limit {limit_kb} KB). An assistant file is a few KB.",
    },
    "err.yaml_structure": {
        "ja": "パイプラインの形になっていません。{detail} の書き方を見本 (school_guide.yaml) と比べてください。",
        "en": "This is not a pipeline. Compare {detail} with the example (school_guide.yaml).",
    },
    "err.no_metadata": {
        "ja": "metadata.tokka に name (表示名) と collection (コレクション名) を書いてください。",
        "en": "Write name (display name) and collection under metadata.tokka.",
    },
    "err.module_not_allowed": {
        "ja": "{type} は使えません。安全のため、使える部品は {allowed} で始まるものだけです。",
        "en": "{type} is not allowed. For safety, only components under {allowed} can be used.",
    },
    "err.unknown_component": {
        "ja": "部品 {type} が見つかりません。{suggestion}",
        "en": "Component {type} was not found. {suggestion}",
    },
    "hint.did_you_mean": {"ja": "もしかして: {candidate}", "en": "Did you mean: {candidate}"},
    "err.component_params": {
        "ja": "部品「{name}」の設定に誤りがあります: {detail}",
        "en": "The settings of component '{name}' are wrong: {detail}",
    },
    "err.bad_connection": {
        "ja": "接続 {sender} → {receiver} が正しくありません: {detail}",
        "en": "The connection {sender} → {receiver} is wrong: {detail}",
    },
    "err.missing_prompt_variable": {
        "ja": "プロンプト「{name}」の変数 {variable} に値が渡されません。テンプレートで使えるのは query "
        "(質問) と documents (検索結果) です。変数名を直すか、接続を追加してください。",
        "en": "Prompt '{name}' uses the variable {variable}, but nothing gives it a value. Templates can use "
        "query (the question) and documents (the search results). Fix the name or add a connection.",
    },
    "err.missing_input": {
        "ja": "部品「{name}」の入力 {socket} がどこにもつながっていません。connections に接続を追加してください。",
        "en": "Input {socket} of component '{name}' is not connected. Add a connection under connections.",
    },
    "err.unknown_collection": {
        "ja": "コレクション「{collection}」がありません (今あるもの: {available})。"
        "`python -m corpus add フォルダ --collection {collection}` で作るか、名前を直してください。",
        "en": "Collection '{collection}' does not exist (available: {available}). Create it with "
        "`python -m corpus add FOLDER --collection {collection}`, or fix the name.",
    },
    "err.unknown_model": {
        "ja": "Ollama にモデル {model} がありません。`ollama pull {model}` を実行してください。",
        "en": "Ollama does not have the model {model}. Run `ollama pull {model}`.",
    },
    "err.unknown_local_model": {
        "ja": "ローカルモデル {model} が見つかりません。data/models/ に .gguf ファイルを置くか、次から選んでください: {available}",
        "en": "Local model {model} was not found. Put a .gguf file into data/models/, or choose one of: {available}",
    },
    "warn.ollama_unreachable": {
        "ja": "Ollama ({url}) に接続できないため、モデル {model} があるか確かめられません。",
        "en": "Ollama ({url}) cannot be reached, so the model {model} could not be checked.",
    },
    "warn.num_ctx_unset": {
        "ja": "部品「{name}」に generation_kwargs.num_ctx がありません。Ollama の既定値は小さく、資料が黙って切り捨てられます。",
        "en": "Component '{name}' has no generation_kwargs.num_ctx; Ollama's small default cuts retrieved text silently.",
    },
    "err.context_too_small": {
        "ja": "コンテキスト長 {n_ctx} では資料 {top_k} 件 (約 {chars} 文字) と答えが入りきらず、切り捨てられるおそれがあります。"
        "{needed} 以上にするか、top_k を減らしてください。",
        "en": "A context window of {n_ctx} cannot hold {top_k} chunks (about {chars} characters) and the answer; text "
        "would be cut. Use at least {needed}, or lower top_k.",
    },
    "err.context_overflow": {
        "ja": "質問と資料がモデル {model} のコンテキスト長 ({n_ctx}) に入りません。top_k を減らすか n_ctx を増やしてください。",
        "en": "The question and the retrieved text do not fit the context window of {model} ({n_ctx}). "
        "Lower top_k or raise n_ctx.",
    },
    "err.sheet_columns": {
        "ja": "質問シートに必要な列がありません (見つかった列: {found})。「question」(質問) と「expected」(期待する資料のファイル名か URL) の列を作ってください。keywords (キーワード) の列は任意です。",
        "en": "The question sheet lacks columns (found: {found}). It needs 'question' and 'expected' (the expected file name or URL); 'keywords' is optional.",
    },
    "err.sheet_empty": {"ja": "質問シートに質問がありません。", "en": "The question sheet has no questions."},
    "err.sheet_unreadable": {
        "ja": "質問シートを読めません ({detail})。CSV か XLSX で保存してください。",
        "en": "The question sheet cannot be read ({detail}). Save it as CSV or XLSX.",
    },
    "err.no_retriever": {
        "ja": "このアシスタントには評価できる検索部品 (HybridRetriever など) がありません。",
        "en": "This assistant has no retriever that can be evaluated (e.g. HybridRetriever).",
    },
    "err.builder_id": {
        "ja": "ファイル名「{name}」は使えません。半角英数字と _ - だけ (48 文字まで) にしてください。",
        "en": "'{name}' cannot be a file name. Use letters, digits, _ and - (48 characters at most).",
    },
    "err.builder_required": {"ja": "「{field}」を入力してください。", "en": "Fill in '{field}'."},
    "err.builder_generator": {
        "ja": "生成の種類 {generator} は使えません (ollama か local)。",
        "en": "Generator {generator} is not available (ollama or local).",
    },
    "err.builder_style": {"ja": "答え方 {style} は選べません。", "en": "Answer style {style} is not available."},
    "err.builder_range": {
        "ja": "{field} は {low} から {high} の間にしてください。",
        "en": "{field} must be between {low} and {high}.",
    },
    "err.builder_weights": {
        "ja": "キーワード検索と意味検索の重みは 0 以上で、両方 0 にはできません。",
        "en": "The keyword and meaning weights must be 0 or more, and not both 0.",
    },
    "err.builder_exists": {
        "ja": "アシスタント「{id}」はもうあります。別のファイル名にしてください。",
        "en": "Assistant '{id}' already exists. Choose another file name.",
    },
    "err.save_refused": {
        "ja": "誤りがあるため保存しませんでした:\n{details}",
        "en": "Not saved because of errors:\n{details}",
    },
    "err.version_not_found": {
        "ja": "{id} の版 {version} は見つかりません。",
        "en": "Version {version} of {id} was not found.",
    },
    "err.not_admin": {
        "ja": "アシスタントの編集は管理者だけができます。",
        "en": "Only administrators can edit assistants.",
    },
    "err.model_name": {
        "ja": "モデル名「{name}」は使えません。小文字の英数字と . _ - だけにしてください。",
        "en": "'{name}' cannot be a model name. Use lower-case letters, digits, . _ and -.",
    },
    "err.no_checkpoint": {
        "ja": "{folder} に学習済みのモデル (checkpoint.pt) がありません。先に学習してください。",
        "en": "{folder} has no trained model (checkpoint.pt). Train first.",
    },
    "err.converter_fetch": {
        "ja": "llama.cpp の変換スクリプトを取得できません ({detail})。make setup をやり直してください。",
        "en": "The llama.cpp converter could not be fetched ({detail}). Run make setup again.",
    },
    "err.conversion_failed": {
        "ja": "GGUF への変換に失敗しました: {detail}",
        "en": "The conversion to GGUF failed: {detail}",
    },
    "err.ollama_create": {
        "ja": "Ollama がモデル {name} を登録できませんでした: {detail}",
        "en": "Ollama could not create the model {name}: {detail}",
    },
    "err.tone_columns": {
        "ja": "例文ファイルに必要な列がありません (見つかった列: {found})。instruction (指示・質問) と output (理想の答え) の列を作ってください。input と system は任意です。JSONL なら messages の形も使えます。",
        "en": "The examples file lacks columns (found: {found}). It needs instruction and output; input and system are optional. JSONL may also hold messages.",
    },
    "err.tone_too_few": {
        "ja": "使える例が {n} 件しかありません。少なくとも {minimum} 件 (できれば 100 件以上) 用意してください。",
        "en": "Only {n} usable examples. Provide at least {minimum} (ideally 100 or more).",
    },
    "warn.tone_empty_rows": {
        "ja": "空の行 {n} 件を除きました (行 {rows})。",
        "en": "Dropped {n} empty rows (rows {rows}).",
    },
    "warn.tone_duplicates": {
        "ja": "重複した例 {n} 件を除きました (行 {rows})。",
        "en": "Dropped {n} duplicate examples (rows {rows}).",
    },
    "warn.tone_too_long": {
        "ja": "長すぎる例 {n} 件を除きました (行 {rows}、上限 {max} トークン)。",
        "en": "Dropped {n} examples longer than {max} tokens (rows {rows}).",
    },
    "err.tone_oom": {
        "ja": "GPU のメモリが足りません (プリセット {preset}、長さ {seq})。プリセット {smaller} を選ぶか、最大長を短くしてください。",
        "en": "Out of GPU memory (preset {preset}, length {seq}). Choose preset {smaller}, or a shorter maximum length.",
    },
    "err.tone_base_missing": {
        "ja": "ベースモデル {base} を読み込めません ({detail})。Hugging Face 形式のフォルダ (config.json と重み) を指定してください。",
        "en": "The base model {base} cannot be loaded ({detail}). Give a Hugging Face folder (config.json and weights).",
    },
    "err.unknown_assistant": {
        "ja": "アシスタント「{name}」はありません。今あるもの: {available}",
        "en": "There is no assistant '{name}'. Available: {available}",
    },
    "err.assistant_broken": {
        "ja": "アシスタント「{name}」の設定ファイルに誤りがあるため使えません:\n{details}",
        "en": "Assistant '{name}' cannot be used because its file has errors:\n{details}",
    },
    # ---- answering (Ollama and local models) -------------------------------------------------------------------
    "err.ollama_down": {
        "ja": "Ollama ({url}) に接続できません。Ollama を起動してください (`ollama serve`、または docker compose up)。"
        "検索で見つかった資料は下に表示しています。",
        "en": "Ollama ({url}) cannot be reached. Start Ollama (`ollama serve`, or docker compose up). "
        "The passages found are shown below.",
    },
    "err.ollama_timeout": {
        "ja": "Ollama が {timeout} 秒以内に答えませんでした。モデルの読み込み中か、マシンが混んでいます。少し待ってもう一度試すか、"
        "小さいモデルにしてください。検索で見つかった資料は下に表示しています。",
        "en": "Ollama did not answer within {timeout} seconds (the model may be loading or the machine busy). Try "
        "again shortly, or use a smaller model. The passages found are shown below.",
    },
    "err.ollama_no_model": {
        "ja": "Ollama にモデル {model} がありません。`ollama pull {model}` を実行してから、もう一度質問してください。"
        "検索で見つかった資料は下に表示しています。",
        "en": "Ollama does not have the model {model}. Run `ollama pull {model}`, then ask again. "
        "The passages found are shown below.",
    },
    "err.generation_failed": {
        "ja": "回答の生成に失敗しました ({detail})。検索で見つかった資料は下に表示しています。",
        "en": "Generating the answer failed ({detail}). The passages found are shown below.",
    },
    # ---- the app (apps/) -----------------------------------------------------------------------------------------
    "ui.title": {"ja": "特化AI工房 tokka", "en": "tokka — specialised AI workshop"},
    "ui.tab.chat": {"ja": "チャット", "en": "Chat"},
    "ui.status.loading": {"ja": "状態を確認しています…", "en": "Checking status…"},
    "ui.status.refresh": {"ja": "↻ 状態を更新", "en": "↻ Refresh status"},
    "ui.status.backend": {"ja": "保存先", "en": "Store"},
    "ui.status.embedded": {"ja": "内蔵ストア (SQLite, {path})", "en": "embedded store (SQLite, {path})"},
    "ui.status.elasticsearch": {"ja": "Elasticsearch ({url})", "en": "Elasticsearch ({url})"},
    "ui.status.ollama_up": {"ja": "接続中 ({url}) — モデル: {models}", "en": "connected ({url}) — models: {models}"},
    "ui.status.ollama_down": {
        "ja": "接続できません ({url})。Ollama を使うアシスタントは回答できません (検索結果は表示されます)。",
        "en": "not reachable ({url}). Assistants that use Ollama cannot answer (search results are still shown).",
    },
    "ui.status.broken": {"ja": "設定ファイルに誤りがあります", "en": "the file has errors"},
    "ui.generator.ollama": {"ja": "Ollama", "en": "Ollama"},
    "ui.generator.local": {"ja": "ローカル GGUF (llama.cpp)", "en": "local GGUF (llama.cpp)"},
    "ui.chat.assistant": {"ja": "アシスタント", "en": "Assistant"},
    "ui.chat.show_prompt": {"ja": "送ったプロンプトを表示", "en": "Show the prompt sent"},
    "ui.chat.show_yaml": {"ja": "アシスタントの YAML を表示", "en": "Show the assistant's YAML"},
    "ui.chat.conversation": {"ja": "会話", "en": "Conversation"},
    "ui.chat.placeholder": {
        "ja": "質問を入力してください (例: 3Dプリンターは何時までに予約すればいい？)",
        "en": "Type a question (e.g. 3Dプリンターは何時までに予約すればいい？)",
    },
    "ui.chat.send": {"ja": "送信", "en": "Send"},
    "ui.chat.clear": {"ja": "会話を消す", "en": "Clear"},
    "ui.chat.sources": {
        "ja": "検索で見つかった資料 (✓ = 回答が引用)",
        "en": "Passages found (✓ = cited in the answer)",
    },
    "ui.chat.prompt": {"ja": "モデルに送ったプロンプト", "en": "Prompt sent to the model"},
    "ui.chat.yaml": {"ja": "アシスタントの設定 (YAML)", "en": "The assistant's settings (YAML)"},
    "ui.chat.col.number": {"ja": "番号", "en": "#"},
    "ui.chat.col.cited": {"ja": "引用", "en": "cited"},
    "ui.chat.col.source": {"ja": "ファイル / URL", "en": "file / URL"},
    "ui.chat.col.title": {"ja": "タイトル", "en": "title"},
    "ui.chat.col.content": {"ja": "本文", "en": "text"},
    "ui.chat.col.bm25": {"ja": "BM25", "en": "BM25"},
    "ui.chat.col.vector": {"ja": "ベクトル", "en": "vector"},
    "ui.chat.col.fused": {"ja": "融合", "en": "fused"},
    "ui.chat.empty_question": {"ja": "質問を入力してください。", "en": "Please type a question."},
    "ui.chat.no_assistant": {
        "ja": "使えるアシスタントがありません。pipelines/assistants/ の YAML を確かめてください。",
        "en": "No assistant is available. Check the YAML files in pipelines/assistants/.",
    },
    "ui.chat.searching": {"ja": "資料を探しています…", "en": "Searching…"},
    "ui.chat.answering": {"ja": "回答を書いています…", "en": "Writing the answer…"},
    "ui.chat.retrieval": {
        "ja": "検索方式: {mode} ・ 検索語: {tokens}",
        "en": "Retrieval: {mode} · query tokens: {tokens}",
    },
    "ui.chat.timings": {"ja": "所要時間: {seconds} 秒", "en": "Time: {seconds} s"},
    "ui.chat.assistant_info": {
        "ja": "生成: {generator} `{model}` ・ コレクション: `{collection}` ・ ファイル: `{file}`",
        "en": "Generator: {generator} `{model}` · collection: `{collection}` · file: `{file}`",
    },
    "ui.tab.corpus": {"ja": "コーパス", "en": "Corpus"},
    "ui.corpus.collection": {"ja": "コレクション", "en": "Collection"},
    "ui.corpus.refresh": {"ja": "↻ 更新", "en": "↻ Refresh"},
    "ui.corpus.collections": {"ja": "コレクション一覧", "en": "Collections"},
    "ui.corpus.col.name": {"ja": "名前", "en": "name"},
    "ui.corpus.col.documents": {"ja": "文書数", "en": "documents"},
    "ui.corpus.col.chunks": {"ja": "チャンク数", "en": "chunks"},
    "ui.corpus.col.model": {"ja": "埋め込みモデル", "en": "embedding model"},
    "ui.corpus.col.updated": {"ja": "最終更新", "en": "last update"},
    "ui.corpus.manage": {"ja": "コレクションを作る・消す", "en": "Create or delete a collection"},
    "ui.corpus.new_name": {"ja": "新しいコレクション名", "en": "New collection name"},
    "ui.corpus.embedder": {"ja": "埋め込み (意味検索)", "en": "Embeddings (meaning search)"},
    "ui.corpus.embedder.auto": {
        "ja": "自動 (Ollama があれば bge-m3、なければオフライン)",
        "en": "auto (Ollama bge-m3 if available, else offline)",
    },
    "ui.corpus.embedder.offline": {
        "ja": "オフライン (USE 多言語、サーバー不要)",
        "en": "offline (USE multilingual, no server)",
    },
    "ui.corpus.embedder.ollama": {"ja": "Ollama (bge-m3)", "en": "Ollama (bge-m3)"},
    "ui.corpus.embedder.none": {"ja": "なし (キーワード検索のみ)", "en": "none (keyword search only)"},
    "ui.corpus.create": {"ja": "作る", "en": "Create"},
    "ui.corpus.created": {
        "ja": "コレクション「{collection}」を作りました (埋め込み: {model})。",
        "en": "Created collection '{collection}' (embeddings: {model}).",
    },
    "ui.corpus.confirm": {
        "ja": "削除の確認: 消すコレクション名をもう一度入力",
        "en": "Confirm deletion: type the collection name again",
    },
    "ui.corpus.delete": {"ja": "コレクションを削除", "en": "Delete collection"},
    "ui.corpus.deleted": {
        "ja": "コレクション「{collection}」を削除しました。",
        "en": "Deleted collection '{collection}'.",
    },
    "ui.corpus.tab.files": {"ja": "ファイルを追加", "en": "Add files"},
    "ui.corpus.files": {
        "ja": "ファイル (複数可: txt md html pdf docx csv xlsx json jsonl)",
        "en": "Files (several at once: txt md html pdf docx csv xlsx json jsonl)",
    },
    "ui.corpus.add": {"ja": "取り込む", "en": "Ingest"},
    "ui.corpus.cancel": {"ja": "中止", "en": "Cancel"},
    "ui.corpus.status": {"ja": "取り込み状況", "en": "Status"},
    "ui.corpus.col.file": {"ja": "ファイル / URL", "en": "file / URL"},
    "ui.corpus.col.type": {"ja": "形式", "en": "type"},
    "ui.corpus.col.chars": {"ja": "文字数", "en": "characters"},
    "ui.corpus.col.status": {"ja": "状態・理由", "en": "status / reason"},
    "ui.corpus.col.title": {"ja": "タイトル", "en": "title"},
    "ui.corpus.no_collection": {
        "ja": "先にコレクションを選ぶか作ってください。",
        "en": "Choose or create a collection first.",
    },
    "ui.corpus.no_files": {"ja": "ファイルを選んでください。", "en": "Choose files to ingest."},
    "ui.corpus.progress": {"ja": "取り込み中 {done}/{total}: {name}", "en": "Ingesting {done}/{total}: {name}"},
    "ui.corpus.done": {
        "ja": "完了: 追加 {added} / 更新 {updated} / 変更なし {unchanged} / 失敗 {failed}",
        "en": "Done: added {added} / updated {updated} / unchanged {unchanged} / failed {failed}",
    },
    "ui.status.added": {"ja": "追加", "en": "added"},
    "ui.status.updated": {"ja": "更新", "en": "updated"},
    "ui.status.unchanged": {"ja": "変更なし", "en": "unchanged"},
    "ui.status.failed": {"ja": "失敗", "en": "failed"},
    "ui.status.skipped": {"ja": "除外", "en": "skipped"},
    "ui.status.cancelled": {"ja": "中止", "en": "cancelled"},
    "ui.status.duplicate": {"ja": "重複", "en": "duplicate"},
    "ui.status.removed": {"ja": "削除", "en": "removed"},
    "ui.corpus.tab.documents": {"ja": "文書", "en": "Documents"},
    "ui.corpus.documents": {"ja": "コレクションの文書", "en": "Documents in the collection"},
    "ui.corpus.remove_pick": {"ja": "外す文書", "en": "Document to remove"},
    "ui.corpus.remove": {"ja": "文書を外す", "en": "Remove document"},
    "ui.corpus.removed": {
        "ja": "外しました: {source} (チャンク {chunks} 件)",
        "en": "Removed: {source} ({chunks} chunks)",
    },
    "ui.corpus.reindex_title": {"ja": "埋め込みを作り直す (再インデックス)", "en": "Rebuild the embeddings (re-index)"},
    "ui.corpus.reindex": {"ja": "作り直す", "en": "Re-index"},
    "ui.corpus.reindex_progress": {"ja": "埋め込み中 {done}/{total} チャンク", "en": "Embedding {done}/{total} chunks"},
    "ui.corpus.reindexed": {
        "ja": "作り直しました: {collection} は今 {model} を使います。",
        "en": "Re-indexed: {collection} now uses {model}.",
    },
    "ui.corpus.tab.search": {"ja": "検索を試す", "en": "Try a search"},
    "ui.corpus.query": {"ja": "検索する質問", "en": "Query"},
    "ui.corpus.mode": {"ja": "検索方式", "en": "Mode"},
    "ui.corpus.top_k": {"ja": "件数", "en": "Results"},
    "ui.corpus.search": {"ja": "検索", "en": "Search"},
    "ui.corpus.tokens": {
        "ja": "日本語の解析結果 (BM25 の検索語): {tokens}",
        "en": "How the query was analysed (BM25 terms): {tokens}",
    },
    "ui.corpus.mode_used": {"ja": "検索方式: {mode}", "en": "Retrieval: {mode}"},
    "ui.corpus.results": {"ja": "検索結果", "en": "Results"},
    "ui.corpus.col.rank": {"ja": "順位", "en": "rank"},
    "ui.corpus.col.id": {"ja": "チャンク ID", "en": "chunk id"},
    "ui.corpus.chunk_pick": {"ja": "開くチャンク", "en": "Chunk to open"},
    "ui.corpus.open": {"ja": "チャンクを開く", "en": "Open chunk"},
    "ui.corpus.chunk_doc": {"ja": "文書", "en": "Document"},
    "ui.corpus.chunk_position": {"ja": "{count} 個中 {position} 番目のチャンク", "en": "chunk {position} of {count}"},
    "ui.corpus.previous": {"ja": "前のチャンク", "en": "Previous chunk"},
    "ui.corpus.next": {"ja": "次のチャンク", "en": "Next chunk"},
    "ui.corpus.metadata": {"ja": "メタデータ", "en": "Metadata"},
    "ui.crawl.tab": {"ja": "Web から取り込む", "en": "Crawl the web"},
    "ui.crawl.urls": {"ja": "開始 URL (1 行に 1 つ)", "en": "Start URLs (one per line)"},
    "ui.crawl.sitemap": {"ja": "サイトマップから取り込む", "en": "Use the sitemap"},
    "ui.crawl.depth": {"ja": "リンクをたどる深さ", "en": "Link depth"},
    "ui.crawl.max_pages": {"ja": "最大ページ数", "en": "Maximum pages"},
    "ui.crawl.include": {
        "ja": "対象にする URL のパターン (正規表現、1 行に 1 つ・空欄ならすべて)",
        "en": "Only URLs matching (regular expressions, one per line; empty = all)",
    },
    "ui.crawl.exclude": {
        "ja": "除外する URL のパターン (正規表現、1 行に 1 つ)",
        "en": "Skip URLs matching (regular expressions, one per line)",
    },
    "ui.crawl.same_site": {"ja": "同じサイトだけ", "en": "Same site only"},
    "ui.crawl.prune": {"ja": "なくなったページをコレクションから外す", "en": "Remove pages that are gone"},
    "ui.crawl.delay": {"ja": "ページ間の待ち時間 (秒)", "en": "Delay between pages (s)"},
    "ui.crawl.start": {"ja": "取り込み開始", "en": "Start crawling"},
    "ui.crawl.no_urls": {"ja": "開始 URL を入力してください。", "en": "Enter at least one start URL."},
    "ui.crawl.bad_pattern": {
        "ja": "パターン「{pattern}」が正規表現として正しくありません ({detail})。",
        "en": "The pattern '{pattern}' is not a valid regular expression ({detail}).",
    },
    "ui.crawl.progress": {"ja": "{done} ページ処理: {url}", "en": "{done} pages: {url}"},
    "ui.crawl.done": {
        "ja": "完了: 追加 {added} / 更新 {updated} / 変更なし {unchanged} / 重複 {duplicate} / 除外 {skipped} / 削除 {removed} / 失敗 {failed}",
        "en": "Done: added {added} / updated {updated} / unchanged {unchanged} / duplicate {duplicate} / skipped {skipped} / removed {removed} / failed {failed}",
    },
    "ui.crawl.col.fetched": {"ja": "取得時刻", "en": "fetched"},
    "ui.tab.builder": {"ja": "アシスタントを作る", "en": "Assistant builder"},
    "ui.builder.form": {"ja": "フォームで作る", "en": "From a form"},
    "ui.builder.id": {"ja": "ファイル名 (半角英数字)", "en": "File name (letters and digits)"},
    "ui.builder.name": {"ja": "表示名", "en": "Display name"},
    "ui.builder.description": {"ja": "説明", "en": "Description"},
    "ui.builder.generator": {"ja": "回答を書くモデルの種類", "en": "Generator"},
    "ui.builder.model": {"ja": "モデル", "en": "Model"},
    "ui.builder.persona": {"ja": "ペルソナ・指示 (システムプロンプト)", "en": "Persona / instructions (system prompt)"},
    "ui.builder.persona_default": {
        "ja": "あなたはモノづくり塾のスタッフです。会員にやさしく説明します。",
        "en": "あなたはモノづくり塾のスタッフです。会員にやさしく説明します。",
    },
    "ui.builder.style": {"ja": "答え方", "en": "Answer style"},
    "ui.builder.style.polite": {"ja": "丁寧に", "en": "polite"},
    "ui.builder.style.short": {"ja": "短く要点だけ", "en": "short"},
    "ui.builder.style.bullets": {"ja": "箇条書き", "en": "bullet points"},
    "ui.builder.style.steps": {"ja": "番号付きの手順", "en": "numbered steps"},
    "ui.builder.top_k": {"ja": "モデルに渡す資料の数 (top-k)", "en": "Chunks given to the model (top-k)"},
    "ui.builder.bm25_weight": {"ja": "キーワード検索の重み", "en": "Keyword (BM25) weight"},
    "ui.builder.vector_weight": {"ja": "意味検索の重み", "en": "Meaning (vector) weight"},
    "ui.builder.temperature": {"ja": "温度 (ばらつき)", "en": "Temperature"},
    "ui.builder.context": {"ja": "コンテキスト長 (トークン)", "en": "Context window (tokens)"},
    "ui.builder.max_tokens": {
        "ja": "答えの最大トークン (ローカルモデル)",
        "en": "Longest answer in tokens (local models)",
    },
    "ui.builder.preview": {"ja": "YAML を見る", "en": "Preview YAML"},
    "ui.builder.create": {"ja": "作って保存", "en": "Create and save"},
    "ui.builder.editor": {"ja": "YAML を編集", "en": "Edit YAML"},
    "ui.builder.versions": {"ja": "以前の版", "en": "Earlier versions"},
    "ui.builder.restore": {"ja": "この版に戻す", "en": "Restore"},
    "ui.builder.validate": {"ja": "検証", "en": "Validate"},
    "ui.builder.save": {"ja": "保存", "en": "Save"},
    "ui.builder.copy_id": {"ja": "複製のファイル名", "en": "File name of the copy"},
    "ui.builder.duplicate": {"ja": "複製", "en": "Duplicate"},
    "ui.builder.confirm_delete_box": {"ja": "削除してよい", "en": "Yes, delete"},
    "ui.builder.confirm_delete": {
        "ja": "削除するには「削除してよい」に印を付けてください。",
        "en": "Tick 'Yes, delete' to delete.",
    },
    "ui.builder.delete": {"ja": "削除", "en": "Delete"},
    "ui.builder.try": {"ja": "保存せずに試す", "en": "Try without saving"},
    "ui.builder.try_button": {"ja": "試す", "en": "Try"},
    "ui.builder.valid": {"ja": "誤りはありません。", "en": "No problems found."},
    "ui.builder.saved": {
        "ja": "{file} を保存しました (前の版は「以前の版」から戻せます)。",
        "en": "Saved {file} (the previous version can be restored).",
    },
    "ui.builder.duplicated": {"ja": "{file} として複製しました。", "en": "Duplicated as {file}."},
    "ui.builder.deleted": {
        "ja": "{file} を削除しました (「以前の版」から戻せます)。",
        "en": "Deleted {file} (it can be restored from the versions).",
    },
    "ui.builder.restored": {"ja": "版 {version} に戻しました。", "en": "Restored version {version}."},
    "ui.builder.copy_suffix": {"ja": " (コピー)", "en": " (copy)"},
    "ui.builder.evaluation": {"ja": "評価", "en": "Evaluation"},
    "ui.builder.evaluation_help": {
        "ja": "質問シート (CSV か XLSX) の列: **question** (質問)、**expected** (見つけてほしい資料のファイル名か URL、複数は ; 区切り)、**keywords** (任意・答えに含まれてほしい言葉、、区切り)。アシスタントの検索で期待した資料が上位 k 件に入るか (recall@k) と、その順位 (MRR) を調べます。",
        "en": "Question sheet (CSV or XLSX) columns: **question**, **expected** (the file name or URL that should be found; several separated by ;), **keywords** (optional words the answer should contain). It measures whether the expected source is in the first k results (recall@k) and its rank (MRR).",
    },
    "ui.builder.sheet": {"ja": "質問シート", "en": "Question sheet"},
    "ui.builder.use_sample": {
        "ja": "サンプルの質問シートを使う (サンプル文書用)",
        "en": "Use the sample question sheet (for the sample documents)",
    },
    "ui.builder.compare": {
        "ja": "評価するアシスタント (2 つまで比べられます)",
        "en": "Assistants to evaluate (compare up to two)",
    },
    "ui.builder.with_answers": {
        "ja": "答えも生成してキーワードを数える (時間がかかります)",
        "en": "Also generate answers and count keywords (slow)",
    },
    "ui.builder.evaluate": {"ja": "評価する", "en": "Evaluate"},
    "ui.builder.choose_assistant": {
        "ja": "評価するアシスタントを選んでください。",
        "en": "Choose an assistant to evaluate.",
    },
    "ui.builder.evaluating": {"ja": "{assistant}: {done}/{total} 問", "en": "{assistant}: {done}/{total} questions"},
    "ui.builder.evaluated": {
        "ja": "{n} 問を評価しました。結果は CSV でダウンロードできます。",
        "en": "Evaluated {n} questions. Download the results as CSV.",
    },
    "ui.builder.summary": {"ja": "まとめ", "en": "Summary"},
    "ui.builder.per_question": {
        "ja": "質問ごとの結果 (retrieved = 実際に見つかった資料)",
        "en": "Per question (retrieved = what was found instead)",
    },
    "ui.builder.download": {"ja": "結果の CSV", "en": "Results as CSV"},
    "ui.launch.no_admin": {
        "ja": "注意: ログインがありますが --admin が指定されていないため、アシスタントの編集は誰にもできません。",
        "en": "Note: logins are set but no --admin was given, so nobody can edit assistants.",
    },
    "ui.tab.tone": {"ja": "文章の味付け (トーン調整)", "en": "Tone tuning"},
    "ui.tone.intro": {
        "ja": "団体の例文 (質問と理想の答え) で、チャットモデルの書き方を調整します (LoRA)。NVIDIA の GPU があれば Unsloth の 4bit QLoRA、なければ CPU で小さなモデルを調整します。調整したモデルは GGUF に書き出して Ollama に登録でき、どのアシスタントでも使えます。",
        "en": "Adjust how a chat model writes with the organisation's examples (questions and ideal answers) using LoRA. With an NVIDIA GPU this runs Unsloth 4-bit QLoRA; without one, small models are tuned on the CPU. Export the result to GGUF and Ollama to use it in any assistant.",
    },
    "ui.tone.name": {"ja": "実行名 (モデル名にもなります)", "en": "Run name (also the model name)"},
    "ui.tone.data": {"ja": "例文 (CSV / XLSX / JSONL)", "en": "Examples (CSV / XLSX / JSONL)"},
    "ui.tone.base": {"ja": "ベースモデル (Hugging Face 形式のフォルダ)", "en": "Base model (a Hugging Face folder)"},
    "ui.tone.check": {"ja": "データを確認", "en": "Check the data"},
    "ui.tone.no_data": {"ja": "例文のファイルを選んでください。", "en": "Choose an examples file."},
    "ui.tone.split": {
        "ja": "使える例 {n} 件 (学習 {train} / 検証 {val})。",
        "en": "{n} usable examples ({train} training / {val} validation).",
    },
    "ui.tone.preview": {"ja": "例文のプレビュー", "en": "Preview"},
    "ui.tone.template": {
        "ja": "ベースモデルのチャットテンプレートを当てた例",
        "en": "An example with the base model's chat template",
    },
    "ui.tone.preset": {"ja": "プリセット (GPU のメモリ)", "en": "Preset (GPU memory)"},
    "ui.tone.rank": {"ja": "LoRA ランク", "en": "LoRA rank"},
    "ui.tone.alpha": {"ja": "LoRA アルファ", "en": "LoRA alpha"},
    "ui.tone.max_len": {"ja": "最大長 (トークン、0 = プリセット)", "en": "Max length (tokens, 0 = preset)"},
    "ui.tone.epochs": {"ja": "エポック数", "en": "Epochs"},
    "ui.tone.steps": {"ja": "ステップ数 (0 = エポックで決める)", "en": "Steps (0 = from epochs)"},
    "ui.tone.lr": {"ja": "学習率", "en": "Learning rate"},
    "ui.tone.patience": {"ja": "早期終了 (改善しない評価の回数、0 = なし)", "en": "Early stopping patience (0 = off)"},
    "ui.tone.targets": {"ja": "LoRA をかける層", "en": "LoRA target modules"},
    "ui.tone.four_bit": {"ja": "4bit で読み込む (QLoRA)", "en": "Load in 4-bit (QLoRA)"},
    "ui.tone.start": {"ja": "調整開始", "en": "Start tuning"},
    "ui.tone.step": {"ja": "ステップ {step}/{total} ・ 損失 {loss}", "en": "step {step}/{total} · loss {loss}"},
    "ui.tone.gpu": {"ja": " ・ GPU メモリ {gb} GB", "en": " · GPU memory {gb} GB"},
    "ui.tone.export": {"ja": "GGUF に書き出して Ollama に登録", "en": "Export to GGUF and Ollama"},
    "ui.tab.scratch": {"ja": "小さな言語モデルを作る", "en": "Small LM from scratch"},
    "ui.scratch.intro": {
        "ja": "コレクションの文章だけで、小さな言語モデルをゼロから学習します。損失 (loss) が下がり、生成される文が少しずつ文章らしくなる様子を見られます。学習したモデルは GGUF に書き出して llama.cpp や Ollama で動かせます。",
        "en": "Train a small language model from nothing but a collection's text. Watch the loss fall and the samples become more like sentences. Export the result to GGUF to run it in llama.cpp or Ollama.",
    },
    "ui.scratch.preset": {"ja": "大きさ (プリセット)", "en": "Size (preset)"},
    "ui.scratch.preset_info": {
        "ja": "パラメータ数 **{n}** ・ {layers} 層 ・ 幅 {dim} ・ 文脈 {seq} トークン ・ 目安: {note}",
        "en": "**{n}** parameters · {layers} layers · width {dim} · context {seq} tokens · for: {note}",
    },
    "ui.scratch.steps": {"ja": "学習ステップ数", "en": "Training steps"},
    "ui.scratch.advanced": {"ja": "詳細設定", "en": "Advanced"},
    "ui.scratch.batch_size": {"ja": "バッチサイズ (0 = プリセットの値)", "en": "Batch size (0 = the preset's)"},
    "ui.scratch.resume": {"ja": "前回の続きから学習する", "en": "Resume the previous run"},
    "ui.scratch.start": {"ja": "学習開始", "en": "Start training"},
    "ui.scratch.busy": {
        "ja": "別の学習が実行中です。終わるか中止してから始めてください。",
        "en": "Another training run is in progress. Wait for it or cancel it first.",
    },
    "ui.scratch.started": {
        "ja": "学習開始: パラメータ {parameters:,} / 語彙 {vocab_size} / 学習トークン {train_tokens:,} / 検証トークン {val_tokens:,} ({device})",
        "en": "Training: {parameters:,} parameters / vocabulary {vocab_size} / {train_tokens:,} training tokens / {val_tokens:,} validation tokens ({device})",
    },
    "ui.scratch.step": {"ja": "ステップ {step} (損失 {loss})", "en": "step {step} (loss {loss})"},
    "ui.scratch.step_status": {
        "ja": "ステップ {step}/{total} ・ 損失 {loss} ・ {speed} トークン/秒",
        "en": "step {step}/{total} · loss {loss} · {speed} tokens/s",
    },
    "ui.scratch.done": {
        "ja": "完了。最良の検証損失 {val}。保存先: {folder}",
        "en": "Done. Best validation loss {val}. Saved in {folder}",
    },
    "ui.scratch.loss": {"ja": "損失 (train = 学習、validation = 検証)", "en": "Loss (train, validation)"},
    "ui.scratch.samples": {"ja": "生成された文", "en": "Samples"},
    "ui.scratch.tokenizer": {"ja": "トークナイザーの分け方を見る", "en": "See how the tokenizer splits text"},
    "ui.scratch.sentence": {"ja": "文", "en": "Sentence"},
    "ui.scratch.sentence_default": {
        "ja": "モノづくり塾では3Dプリンターの使い方を学べます。",
        "en": "モノづくり塾では3Dプリンターの使い方を学べます。",
    },
    "ui.scratch.prompt_default": {"ja": "モノづくり塾は", "en": "モノづくり塾は"},
    "ui.scratch.split": {"ja": "分割", "en": "Split"},
    "ui.scratch.no_tokenizer": {
        "ja": "まだトークナイザーがありません。先に学習を始めてください。",
        "en": "There is no tokenizer yet. Start training first.",
    },
    "ui.scratch.pieces": {"ja": "{n} トークン: {pieces}", "en": "{n} tokens: {pieces}"},
    "ui.scratch.export": {"ja": "GGUF に書き出す", "en": "Export to GGUF"},
    "ui.scratch.model_name": {"ja": "モデル名", "en": "Model name"},
    "ui.scratch.export_button": {"ja": "書き出して確認", "en": "Export and check"},
    "ui.scratch.try": {"ja": "作ったモデルで文を続ける (llama.cpp)", "en": "Continue text with the model (llama.cpp)"},
    "ui.scratch.prompt": {"ja": "書き出し", "en": "Beginning"},
    "ui.scratch.max_tokens": {"ja": "長さ (トークン)", "en": "Length (tokens)"},
    "ui.scratch.generate": {"ja": "続きを生成", "en": "Continue"},
    "ui.scratch.continuation": {"ja": "生成結果", "en": "Result"},
    "ui.launch.share_needs_auth": {
        "ja": "--share は公開リンクを作るため、ログインなしでは起動しません。--auth ユーザー:パスワード か "
        "--auth-file ファイル を一緒に指定してください。",
        "en": "--share creates a public link, so it does not start without a login. Add --auth USER:PASS or "
        "--auth-file FILE.",
    },
    "ui.launch.bad_auth": {
        "ja": "ログイン情報「{item}」の形が違います。ユーザー:パスワード の形で書いてください。",
        "en": "The login '{item}' is malformed. Write it as USER:PASS.",
    },
    "ui.launch.auth_file_unreadable": {
        "ja": "ログイン情報のファイル {path} を読めません ({detail})。",
        "en": "The login file {path} cannot be read ({detail}).",
    },
    "ui.launch.auth_message": {"ja": "tokka にログインしてください。", "en": "Please log in to tokka."},
    "ui.launch.starting": {"ja": "tokka を起動しました: {url}", "en": "tokka is running at {url}"},
    # ---- web crawling -----------------------------------------------------------------------------------------
    "err.url_scheme": {
        "ja": "URL「{url}」は使えません。http:// か https:// で始まる URL を入れてください。",
        "en": "'{url}' cannot be used. Enter a URL that starts with http:// or https://.",
    },
    "err.url_unresolvable": {
        "ja": "ホスト {host} が見つかりません ({detail})。URL のつづりを確かめてください。",
        "en": "The host {host} was not found ({detail}). Check the spelling of the URL.",
    },
    "err.url_private": {
        "ja": "{host} ({address}) は内部ネットワークのアドレスなので取得しません。社内サイトを取り込むときは、管理者が設定 "
        "TOKKA_CRAWL_ALLOWED_HOSTS にそのホストを加えてください。",
        "en": "{host} ({address}) is an internal network address, so it is not fetched. To crawl an intranet site, an "
        "administrator adds the host to TOKKA_CRAWL_ALLOWED_HOSTS.",
    },
    "err.http_status": {
        "ja": "ページを取得できません (HTTP {status})。",
        "en": "The page could not be fetched (HTTP {status}).",
    },
    "err.fetch_failed": {
        "ja": "ページを取得できません ({detail})。ネットワークと URL を確かめてください。",
        "en": "The page could not be fetched ({detail}). Check the network and the URL.",
    },
    "err.too_many_redirects": {
        "ja": "転送 (リダイレクト) が多すぎます: {url}",
        "en": "Too many redirects: {url}",
    },
    "err.robots_disallowed": {
        "ja": "robots.txt で取得が禁止されているため、取り込みません。",
        "en": "robots.txt does not allow fetching this page, so it is not indexed.",
    },
    "err.robots_unreachable": {
        "ja": "robots.txt を読めないため、このサイトは取り込みません ({detail})。",
        "en": "robots.txt could not be read, so this site is not crawled ({detail}).",
    },
    "err.duplicate_page": {
        "ja": "{original} と同じ内容なので、重ねて取り込みません。",
        "en": "Same content as {original}, so it is not indexed twice.",
    },
    "err.unsupported_content": {
        "ja": "この種類の内容 ({content_type}) は取り込めません。",
        "en": "This kind of content ({content_type}) cannot be indexed.",
    },
    "err.page_gone": {
        "ja": "サイトから見つからなくなったので、コレクションから外しました。",
        "en": "No longer found on the site, so it was removed from the collection.",
    },
    "cli.crawl_summary": {
        "ja": "追加 {added} / 更新 {updated} / 変更なし {unchanged} / 重複 {duplicate} / 除外 {skipped} / 削除 {removed} / 失敗 {failed}",
        "en": "added {added} / updated {updated} / unchanged {unchanged} / duplicate {duplicate} / skipped {skipped} / removed {removed} / failed {failed}",
    },
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
    "cli.ok": {"ja": "OK", "en": "OK"},
    "cli.broken": {"ja": "エラーあり", "en": "has errors"},
    "cli.sources": {"ja": "資料", "en": "Sources"},
    "cli.timings": {"ja": "所要時間", "en": "Timings"},
    "cli.eval_summary": {
        "ja": "質問 {n} 件: recall@{k} = {recall}, MRR@{k} = {mrr}",
        "en": "{n} questions: recall@{k} = {recall}, MRR@{k} = {mrr}",
    },
    "cli.eval_keywords": {
        "ja": "回答に含まれたキーワードの割合: {rate}",
        "en": "Share of expected keywords in the answers: {rate}",
    },
    "cli.eval_indexing": {
        "ja": "コーパス {n} 件を一時コレクションに取り込んでいます…",
        "en": "Indexing {n} paragraphs into a temporary collection…",
    },
    "cli.migrate_needs_url": {
        "ja": "移行先の ELASTICSEARCH_URL を設定してから実行してください。",
        "en": "Set ELASTICSEARCH_URL (the target) first.",
    },
    "cli.migrated": {
        "ja": "コレクション「{collection}」を {url} へ移しました (チャンク {chunks} 件、再埋め込みなし)。",
        "en": "Copied collection '{collection}' to {url} ({chunks} chunks, no re-embedding).",
    },
    "cli.scratch_params": {"ja": "プリセット {preset}: パラメータ数 {n}", "en": "Preset {preset}: {n} parameters"},
    "cli.scratch_start": {
        "ja": "学習開始: パラメータ {parameters:,} / 語彙 {vocab_size} / 学習トークン {train_tokens:,} / 検証トークン {val_tokens:,} ({device})",
        "en": "Training: {parameters:,} parameters / vocabulary {vocab_size} / {train_tokens:,} training tokens / {val_tokens:,} validation tokens ({device})",
    },
    "cli.scratch_done": {
        "ja": "完了。最良の検証損失 {val}。チェックポイント: {out}",
        "en": "Done. Best validation loss {val}. Checkpoint: {out}",
    },
    "cli.scratch_interrupted": {
        "ja": "中断しました。--resume で {out} から続けられます。",
        "en": "Interrupted. Continue from {out} with --resume.",
    },
    "cli.export_files": {
        "ja": "HF フォルダ: {hf}\nGGUF: {gguf}\nModelfile: {modelfile}",
        "en": "HF folder: {hf}\nGGUF: {gguf}\nModelfile: {modelfile}",
    },
    "cli.export_verified": {
        "ja": "llama.cpp での確認: トークン化が一致し、ロジットの差は最大 {diff} です。",
        "en": "Checked in llama.cpp: tokenisation matches, logits differ by at most {diff}.",
    },
    "cli.export_mismatch": {
        "ja": "llama.cpp での確認で食い違いがありました (ロジットの差 最大 {diff})。上の NG の行を見てください。",
        "en": "The check in llama.cpp found differences (logits differ by up to {diff}). See the NG lines above.",
    },
    "cli.ollama_registered": {
        "ja": "Ollama に {name} として登録しました (ollama run {name})。",
        "en": "Registered in Ollama as {name} (ollama run {name}).",
    },
    "cli.ollama_manual": {
        "ja": "Ollama に接続できないため登録していません。Ollama のあるマシンで次を実行してください:\n{commands}",
        "en": "Ollama cannot be reached, so the model was not registered. On a machine with Ollama, run:\n{commands}",
    },
    "cli.local_model": {
        "ja": "チャットのローカル GGUF 生成でモデル名 {name} として使えます。",
        "en": "Usable in the chat's local GGUF generator as model {name}.",
    },
    "cli.tone_start": {
        "ja": "調整開始: {backend} (4bit={four_bit}) ・ 学習するパラメータ {trainable} ・ プリセット {preset} ・ {steps} ステップ ・ 学習 {train} 例 / 検証 {validation} 例",
        "en": "Tuning: {backend} (4-bit={four_bit}) · {trainable} trainable parameters · preset {preset} · {steps} steps · {train} training / {validation} validation examples",
    },
    "cli.tone_template": {"ja": "チャットテンプレートを当てた例:", "en": "An example with the chat template applied:"},
    "cli.tone_early_stop": {
        "ja": "検証損失が下がらなくなったので、ステップ {step} で止めました (最良 {val})。",
        "en": "Stopped early at step {step}: the validation loss stopped improving (best {val}).",
    },
    "cli.tone_done": {"ja": "完了。アダプター: {out}/adapter", "en": "Done. Adapter: {out}/adapter"},
    "cli.merged_only": {
        "ja": "書き出しました: {folder} (GGUF にするには --gguf を付けてください)",
        "en": "Written: {folder} (add --gguf for a GGUF file)",
    },
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
