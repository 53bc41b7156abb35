"""The one locale table: every message a user can read, in Japanese (default) and English.

Library code raises errors that carry a message *key* and parameters (see `tokka.errors.TokkaError`);
the CLI and the UI turn them into text with :func:`t` in the user's language.
Keys are grouped by where they appear: `err.*` (errors), `cli.*` (command line), `ui.*` (the Gradio app).
"""

from __future__ import annotations

import os

from tokka.settings import get_settings

LANGUAGES = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # ---- errors: what went wrong and what to do (library code raises them with a key) ----------------------------------
    "err.not_found": {"ja": "ファイルが見つかりません: {path}", "en": "File not found: {path}"},
    "err.empty_file": {
        "ja": "ファイルが空です (0 バイト)。中身のあるファイルを選んでください。",
        "en": "The file is empty (0 bytes). Choose a file with content.",
    },
    "err.unsupported_type": {
        "ja": "対応していないファイル形式です ({ext})。対応形式: {supported}",
        "en": "Unsupported file type ({ext}). Supported: {supported}",
    },
    "err.too_large": {
        "ja": "ファイルが大きすぎます ({size_mb} MB、上限 {limit_mb} MB)。ファイルを分けるか、設定 TOKKA_MAX_FILE_MB で上限を上げてください。",
        "en": "The file is too large ({size_mb} MB, limit {limit_mb} MB). Split it, or raise the limit with TOKKA_MAX_FILE_MB.",
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
        "ja": "PDF から文字を読み取れませんでした (OCR でも文字が見つかりません)。文字がはっきり写ったスキャン (300 dpi 程度) を使ってください。",
        "en": "No text could be read from the PDF (OCR found none either). Use a scan where the text is sharp (about 300 dpi).",
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
    "err.read_failed": {"ja": "ファイルを読めません ({detail})。", "en": "The file could not be read ({detail})."},
    "err.cancelled": {"ja": "取り消されました。", "en": "Cancelled."},
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
    "err.embedding_mismatch": {
        "ja": "コレクション「{collection}」は埋め込みモデル {expected} で作られています。{got} の埋め込みは混ぜられません。同じモデルを使うか、コレクションを作り直してください (再インデックス)。",
        "en": "Collection '{collection}' was embedded with {expected}; embeddings from {got} cannot be mixed in. Use the same model, or re-index the collection.",
    },
    "err.tokenizer_mismatch": {
        "ja": "コレクション「{collection}」は BM25 トークナイザー {expected} で作られています。{got} は混ぜられません。インデックス用 YAML の tokenizer を {expected} に戻すか、コレクションを作り直してください。",
        "en": "Collection '{collection}' was tokenised with {expected}; {got} cannot be mixed in. Set the indexing YAML's tokenizer back to {expected}, or re-index the collection.",
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
        "ja": "埋め込みモデル {model} を使えません ({detail})。Ollama を起動して `ollama pull {model}` を実行するか、TOKKA_EMBEDDER=offline にしてください。",
        "en": "The embedding model {model} is not available ({detail}). Start Ollama and run `ollama pull {model}`, or set TOKKA_EMBEDDER=offline.",
    },
    "err.source_not_found": {
        "ja": "「{source}」はコレクション「{collection}」にありません。`python -m corpus list -c {collection}` で確かめてください。",
        "en": "'{source}' is not in collection '{collection}'. Check with `python -m corpus list -c {collection}`.",
    },
    "err.yaml_syntax": {
        "ja": "YAML の書き方に誤りがあります ({column} 文字目あたり)。{hint} (YAML の説明: {detail})",
        "en": "The YAML is not well formed (near column {column}). {hint} (YAML says: {detail})",
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
    "err.component_params": {
        "ja": "部品「{name}」の設定に誤りがあります: {detail}",
        "en": "The settings of component '{name}' are wrong: {detail}",
    },
    "err.bad_connection": {
        "ja": "接続 {sender} → {receiver} が正しくありません: {detail}",
        "en": "The connection {sender} → {receiver} is wrong: {detail}",
    },
    "err.missing_prompt_variable": {
        "ja": "プロンプト「{name}」の変数 {variable} に値が渡されません。テンプレートで使えるのは query (質問) と documents (検索結果) です。変数名を直すか、接続を追加してください。",
        "en": "Prompt '{name}' uses the variable {variable}, but nothing gives it a value. Templates can use query (the question) and documents (the search results). Fix the name or add a connection.",
    },
    "err.missing_input": {
        "ja": "部品「{name}」の入力 {socket} がどこにもつながっていません。connections に接続を追加してください。",
        "en": "Input {socket} of component '{name}' is not connected. Add a connection under connections.",
    },
    "err.unknown_collection": {
        "ja": "コレクション「{collection}」がありません (今あるもの: {available})。`python -m corpus add フォルダ --collection {collection}` で作るか、名前を直してください。",
        "en": "Collection '{collection}' does not exist (available: {available}). Create it with `python -m corpus add FOLDER --collection {collection}`, or fix the name.",
    },
    "err.unknown_model": {
        "ja": "Ollama にモデル {model} がありません。`ollama pull {model}` を実行してください。",
        "en": "Ollama does not have the model {model}. Run `ollama pull {model}`.",
    },
    "err.unknown_local_model": {
        "ja": "ローカルモデル {model} が見つかりません。data/models/ に .gguf ファイルを置くか、次から選んでください: {available}",
        "en": "Local model {model} was not found. Put a .gguf file into data/models/, or choose one of: {available}",
    },
    "err.context_too_small": {
        "ja": "コンテキスト長 {n_ctx} では資料 {top_k} 件 (約 {chars} 文字) と答えが入りきらず、切り捨てられるおそれがあります。{needed} 以上にするか、top_k を減らしてください。",
        "en": "A context window of {n_ctx} cannot hold {top_k} chunks (about {chars} characters) and the answer; text would be cut. Use at least {needed}, or lower top_k.",
    },
    "err.context_overflow": {
        "ja": "質問と資料がモデル {model} のコンテキスト長 ({n_ctx}) に入りません。top_k を減らすか n_ctx を増やしてください。",
        "en": "The question and the retrieved text do not fit the context window of {model} ({n_ctx}). Lower top_k or raise n_ctx.",
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
    "err.builder_fusion": {
        "ja": "融合のしかた「{fusion}」は使えません。{choices} から選んでください。",
        "en": "Fusion '{fusion}' is not one of {choices}.",
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
    "err.ollama_down": {
        "ja": "Ollama ({url}) に接続できません。Ollama を起動してください (`ollama serve`、または docker compose up)。検索で見つかった資料は下に表示しています。",
        "en": "Ollama ({url}) cannot be reached. Start Ollama (`ollama serve`, or docker compose up). The passages found are shown below.",
    },
    "err.ollama_timeout": {
        "ja": "Ollama が {timeout} 秒以内に答えませんでした。モデルの読み込み中か、マシンが混んでいます。少し待ってもう一度試すか、小さいモデルにしてください。検索で見つかった資料は下に表示しています。",
        "en": "Ollama did not answer within {timeout} seconds (the model may be loading or the machine busy). Try again shortly, or use a smaller model. The passages found are shown below.",
    },
    "err.ollama_no_model": {
        "ja": "Ollama にモデル {model} がありません。`ollama pull {model}` を実行してから、もう一度質問してください。検索で見つかった資料は下に表示しています。",
        "en": "Ollama does not have the model {model}. Run `ollama pull {model}`, then ask again. The passages found are shown below.",
    },
    "err.generation_failed": {
        "ja": "回答の生成に失敗しました ({detail})。検索で見つかった資料は下に表示しています。",
        "en": "Generating the answer failed ({detail}). The passages found are shown below.",
    },
    "err.url_scheme": {
        "ja": "URL「{url}」は使えません。http:// か https:// で始まる URL を入れてください。",
        "en": "'{url}' cannot be used. Enter a URL that starts with http:// or https://.",
    },
    "err.url_unresolvable": {
        "ja": "ホスト {host} が見つかりません ({detail})。URL のつづりを確かめてください。",
        "en": "The host {host} was not found ({detail}). Check the spelling of the URL.",
    },
    "err.url_private": {
        "ja": "{host} ({address}) は内部ネットワークのアドレスなので取得しません。社内サイトを取り込むときは、管理者が設定 TOKKA_CRAWL_ALLOWED_HOSTS にそのホストを加えてください。",
        "en": "{host} ({address}) is an internal network address, so it is not fetched. To crawl an intranet site, an administrator adds the host to TOKKA_CRAWL_ALLOWED_HOSTS.",
    },
    "err.http_status": {
        "ja": "ページを取得できません (HTTP {status})。",
        "en": "The page could not be fetched (HTTP {status}).",
    },
    "err.fetch_failed": {
        "ja": "ページを取得できません ({detail})。ネットワークと URL を確かめてください。",
        "en": "The page could not be fetched ({detail}). Check the network and the URL.",
    },
    "err.too_many_redirects": {"ja": "転送 (リダイレクト) が多すぎます: {url}", "en": "Too many redirects: {url}"},
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
    "err.job_busy": {
        "ja": "「{running}」が {since} から実行中です。終わるか中止してから始めてください。",
        "en": "'{running}' has been running since {since}. Wait for it to finish or cancel it first.",
    },
    "err.not_logged_in": {
        "ja": "ログインしていません。ページを開き直してログインしてください。",
        "en": "You are not logged in. Reload the page and log in.",
    },
    "err.run_name": {
        "ja": "名前「{name}」は使えません。英数字・かな漢字・ - _ . だけで 64 文字以内にしてください。",
        "en": "'{name}' cannot be used as a name. Use letters, digits, kana/kanji, - _ . (64 characters at most).",
    },
    "err.scratch_no_text": {
        "ja": "コレクション「{collection}」には学習に使える文章がありません。先に文書を追加してください。",
        "en": "Collection '{collection}' has no text to train on. Add documents first.",
    },
    "err.tone_base_unknown": {
        "ja": "元のモデル「{name}」は選べません。一覧から選んでください (選べるもの: {available})。",
        "en": "The base model '{name}' is not offered. Pick one from the list (available: {available}).",
    },
    "err.unexpected": {
        "ja": "予期しないエラーが起きました ({kind})。もう一度試しても同じなら、管理者にサーバーのログを確認してもらってください。",
        "en": "An unexpected error occurred ({kind}). If it happens again, ask an administrator to check the server log.",
    },
    "err.upload_outside": {
        "ja": "「{name}」はアップロードされたファイルではありません。ファイルを選び直してください。",
        "en": "'{name}' is not an uploaded file. Choose the file again.",
    },
    "err.embedder_unavailable@ui": {
        "ja": "埋め込みモデル {model} を使えません ({detail})。管理者に Ollama の起動とモデルの準備を頼むか、埋め込みを「オフライン」にしてください。",
        "en": "The embedding model {model} cannot be used ({detail}). Ask an administrator to start Ollama and pull the model, or choose the offline embeddings.",
    },
    "err.ollama_down@ui": {
        "ja": "Ollama ({url}) に接続できません。管理者に Ollama の起動を頼んでください。検索で見つかった資料は下に表示しています。",
        "en": "Ollama ({url}) cannot be reached. Ask an administrator to start it. The passages found are shown below.",
    },
    "err.ollama_no_model@ui": {
        "ja": "Ollama にモデル {model} がありません。管理者にモデルの準備を頼んでください。検索で見つかった資料は下に表示しています。",
        "en": "Ollama has no model {model}. Ask an administrator to pull it. The passages found are shown below.",
    },
    "err.source_not_found@ui": {
        "ja": "「{source}」はコレクション「{collection}」にありません。「文書」の一覧で確かめてください。",
        "en": "'{source}' is not in collection '{collection}'. Check the list under Documents.",
    },
    "err.too_large@ui": {
        "ja": "ファイルが大きすぎます ({size_mb} MB、上限 {limit_mb} MB)。ファイルを分けて追加してください (上限は管理者が変えられます)。",
        "en": "The file is too large ({size_mb} MB, limit {limit_mb} MB). Split it and add the parts (an administrator can change the limit).",
    },
    "err.unknown_collection@ui": {
        "ja": "コレクション「{collection}」がありません (今あるもの: {available})。コーパスタブで作るか、名前を直してください。",
        "en": "There is no collection '{collection}' (available: {available}). Create it in the Corpus tab, or correct the name.",
    },
    "err.unknown_model@ui": {
        "ja": "Ollama にモデル {model} がありません。管理者にモデルの準備を頼むか、ほかのモデルを選んでください。",
        "en": "Ollama has no model {model}. Ask an administrator to pull it, or choose another model.",
    },
    "err.url_private@ui": {
        "ja": "{host} ({address}) は内部ネットワークのアドレスなので取得しません。社内サイトを取り込むには、管理者がそのホストを許可する設定をしてください。",
        "en": "{host} ({address}) is an internal network address, so it is not fetched. To crawl an intranet site, an administrator must allow that host.",
    },
    "err.not_allowed.admin": {
        "ja": "この操作は管理者だけができます。必要なら管理者に頼んでください。",
        "en": "Only administrators can do this. Ask an administrator if you need it.",
    },
    "err.not_allowed.uploader": {
        "ja": "ファイルの追加は、許可された人だけができます。必要なら管理者に頼んでください。",
        "en": "Only people allowed to upload can add files. Ask an administrator if you need it.",
    },
    "err.bad_filter": {
        "ja": "検索の絞り込み条件が正しくありません ({detail})。",
        "en": "The search filter is not valid ({detail}).",
    },
    "err.too_many_chars": {
        "ja": "文章が長すぎます ({chars} 文字、上限 {limit} 文字)。ファイルを分けて追加してください。",
        "en": "The text is too long ({chars} characters, limit {limit}). Split the file and add the parts.",
    },
    "err.tone_base_conversion": {
        "ja": "同梱のモデルを調整できる形に変換できませんでした ({detail})。",
        "en": "The packaged model could not be converted for tuning ({detail}).",
    },
    "err.recipe_input": {
        "ja": "レシピの入力「{path}」を読めません: {detail}",
        "en": "The recipe input '{path}' cannot be read: {detail}",
    },
    "err.recipe_too_few": {
        "ja": "学習例が {n} 件しか作れませんでした ({wanted} 件必要)。質問と段落のファイルが対応しているか確かめてください。",
        "en": "Only {n} training examples could be made ({wanted} wanted). Check that the question and paragraph files belong together.",
    },
    "err.unknown_adapter": {
        "ja": "アダプター「{lora}」が見つかりません。同梱のアダプター: {available}。ファイルなら data/models/ に置いて名前を書いてください。",
        "en": "Adapter '{lora}' was not found. Packaged adapters: {available}. For a file, put it in data/models/ and give its name.",
    },
    "err.image_damaged": {
        "ja": "画像ファイルが壊れているか、途中で切れています。元の画像から保存し直してください。",
        "en": "The image file is damaged or cut short. Save it again from the original.",
    },
    "err.image_no_text": {
        "ja": "画像から文字が読み取れませんでした。文字がはっきり写った画像 (300 dpi 程度のスキャン) を使ってください。",
        "en": "No text could be read from the image. Use an image where the text is sharp (a scan at about 300 dpi).",
    },
    "err.libreoffice_missing": {
        "ja": "{kind} を読むには LibreOffice が必要です: sudo apt-get install libreoffice-writer-nogui libreoffice-impress-nogui (scripts/install-system-packages.sh)。または Office で {modern} 形式で保存し直してください。",
        "en": "Reading {kind} needs LibreOffice: sudo apt-get install libreoffice-writer-nogui libreoffice-impress-nogui (scripts/install-system-packages.sh). Or save the file again as {modern} in Office.",
    },
    "err.libreoffice_missing@ui": {
        "ja": "{kind} を読むには LibreOffice が必要です。管理者に入れてもらうか、Office で {modern} 形式で保存し直してください。",
        "en": "Reading {kind} needs LibreOffice; ask an administrator to install it, or save the file again as {modern} in Office.",
    },
    "err.mail_bad": {
        "ja": "メールファイルを読めません ({detail})。",
        "en": "The e-mail file cannot be read ({detail}).",
    },
    "err.ocr_failed": {"ja": "OCR が失敗しました: {detail}", "en": "OCR failed: {detail}"},
    "err.ocr_missing": {
        "ja": "画像の文字を読むには Tesseract (日本語モデル付き) が必要です: sudo apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert (scripts/install-system-packages.sh)。",
        "en": "Reading text in images needs Tesseract with its Japanese model: sudo apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert (scripts/install-system-packages.sh).",
    },
    "err.ocr_missing@ui": {
        "ja": "画像の文字を読むには OCR (Tesseract、日本語モデル付き) が必要です。管理者に入れてもらってください。",
        "en": "Reading text in images needs OCR (Tesseract with its Japanese model); ask an administrator to install it.",
    },
    "err.pdf_no_text_no_ocr": {
        "ja": "PDF に文字の情報がありません (スキャンした画像だけの PDF です)。OCR に Tesseract を入れてください: sudo apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert (scripts/install-system-packages.sh)。",
        "en": "The PDF has no text layer (a scan). Install Tesseract for OCR: sudo apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert (scripts/install-system-packages.sh).",
    },
    "err.pdf_no_text_no_ocr@ui": {
        "ja": "PDF に文字の情報がありません (スキャンした画像だけの PDF です)。管理者が OCR (Tesseract) を入れると読み取れます。",
        "en": "The PDF has no text layer (a scan). An administrator can install OCR (Tesseract) to read it.",
    },
    "err.pdf_unreadable": {
        "ja": "PDF の文字を正しく読めませんでした ({pages} ページが文字化け)。Tesseract を入れると画像として読み取ります (scripts/install-system-packages.sh)。",
        "en": "The PDF's text could not be read correctly ({pages} pages garbled). With Tesseract installed it is read as images (scripts/install-system-packages.sh).",
    },
    "err.pdf_unreadable@ui": {
        "ja": "PDF の文字を正しく読めませんでした ({pages} ページが文字化け)。管理者が OCR (Tesseract) を入れると画像として読み取れます。",
        "en": "The PDF's text could not be read correctly ({pages} pages garbled). An administrator can install OCR (Tesseract) to read it as images.",
    },
    # ---- warnings ------------------------------------------------------------------------------------------------------
    "warn.ollama_unreachable": {
        "ja": "Ollama ({url}) に接続できないため、モデル {model} があるか確かめられません。",
        "en": "Ollama ({url}) cannot be reached, so the model {model} could not be checked.",
    },
    "warn.num_ctx_unset": {
        "ja": "部品「{name}」に generation_kwargs.num_ctx がありません。Ollama の既定値は小さく、資料が黙って切り捨てられます。",
        "en": "Component '{name}' has no generation_kwargs.num_ctx; Ollama's small default cuts retrieved text silently.",
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
    # ---- hints ---------------------------------------------------------------------------------------------------------
    "hint.did_you_mean": {"ja": "もしかして: {candidate}", "en": "Did you mean: {candidate}"},
    "hint.yaml_alias": {
        "ja": '* で始まる値はエイリアスとして読まれます。ふつうの文字なら " " で囲んでください。',
        "en": "A value starting with * is read as an alias; quote it if it is plain text.",
    },
    "hint.yaml_colon": {
        "ja": '「名前: 値」のコロンの後に空白があるか、字下げ (インデント) がずれていないか、値に「: 」が含まれていないか確かめてください (含むなら " " で囲みます)。',
        "en": "Check that each 'name: value' has a space after the colon, that the indentation lines up, and quote values that contain ': '.",
    },
    "hint.yaml_general": {
        "ja": "字下げ (インデント) と、コロンの後の空白を確かめてください。",
        "en": "Check the indentation and the space after each colon.",
    },
    "hint.yaml_indent": {
        "ja": "字下げ (行頭の空白) がそろっていません。同じ階層の行は、上の行と同じ数の空白で始めてください。",
        "en": "The indentation does not line up: lines at the same level must start with the same number of spaces.",
    },
    "hint.yaml_quote": {"ja": "引用符 (\" や ') が閉じていません。", "en": "A quote (\" or ') is not closed."},
    "hint.yaml_tab": {
        "ja": "タブ文字は使えません。字下げは空白で書いてください。",
        "en": "Tabs are not allowed; indent with spaces.",
    },
    # ---- notices -------------------------------------------------------------------------------------------------------
    "notice.bm25_only": {
        "ja": "コレクション「{collection}」には埋め込みがないため、キーワード検索 (BM25) だけで探しています。",
        "en": "Collection '{collection}' has no embeddings, so only keyword search (BM25) is used.",
    },
    "notice.offline_embedder": {
        "ja": "Ollama の埋め込みモデル {model} が使えないため、オフラインの埋め込み ({fallback}) を使います。",
        "en": "The Ollama embedding model {model} is not available; using the offline embedder ({fallback}).",
    },
    "notice.excerpts_instead": {
        "ja": "{error} 代わりに、資料の該当しそうな文を抜き出して示しています。",
        "en": "{error} Instead, the most relevant sentences of the documents are shown.",
    },
    # ---- details filled into other messages ----------------------------------------------------------------------------
    "detail.ollama_unreachable": {"ja": "Ollama に接続できません", "en": "Ollama cannot be reached"},
    "detail.model_missing": {"ja": "Ollama にモデルがありません", "en": "the model is not pulled in Ollama"},
    # ---- comments written into generated assistant files ---------------------------------------------------------------
    "yaml.bm25_weight": {"ja": "キーワード検索の重み", "en": "keyword search weight"},
    "yaml.edit": {
        "ja": "書きかえて保存すると、すぐにチャットで使えます。",
        "en": "Save your edits and the chat uses them at once.",
    },
    "yaml.header": {
        "ja": "アシスタント作成フォームで作りました。自由に編集できます (Haystack のパイプラインです)。",
        "en": "made with the assistant builder. Edit freely: this is a Haystack pipeline.",
    },
    "yaml.header_none": {
        "ja": "モデルを使わず、資料の文をそのまま示すアシスタントです (アシスタント作成フォームで作りました)。",
        "en": "an assistant that quotes the documents' sentences, no model (made with the assistant builder).",
    },
    "yaml.min_relevance": {
        "ja": "一番近い資料が質問の語をこの割合も含まなければ「資料に見つかりませんでした」と答えます",
        "en": "below this share of the question found in the best chunk, it answers that the documents do not say",
    },
    "yaml.num_ctx": {
        "ja": "モデルが読めるトークン数 (明示しないと資料が黙って切られます)",
        "en": "tokens the model reads; set explicitly so nothing is cut silently",
    },
    "yaml.placeholders": {
        "ja": "${{ollama_url}} と ${{ollama_timeout}} は読み込むときに設定の値に置きかわります。",
        "en": "${{ollama_url}} and ${{ollama_timeout}} are filled in from the settings when the file is loaded.",
    },
    "yaml.top_k": {"ja": "モデルに渡す資料 (チャンク) の数", "en": "chunks given to the model"},
    "yaml.vector_weight": {"ja": "意味検索の重み (順位で融合するとき)", "en": "meaning search weight (rank fusion)"},
    "yaml.fusion": {
        "ja": "融合のしかた: auto (USE なら順位、e5/Ollama ならスコア) ・ rrf (順位) ・ scores (スコア)",
        "en": "how results are fused: auto (ranks for USE, scores for e5/Ollama) · rrf (ranks) · scores",
    },
    "yaml.vector_share": {
        "ja": "スコアで融合するときの意味検索の割合 (0〜1)",
        "en": "the meaning search's share when fusing by scores (0–1)",
    },
    "yaml.embed_query": {
        "ja": "質問をコレクションのモデルでベクトルにし、キーワード検索を意味検索と同時に進めます (速い)",
        "en": "embed the question with the collection's model; the keyword search runs beside the meaning search (faster)",
    },
    # ---- what assistants answer themselves -----------------------------------------------------------------------------
    "answer.not_found": {
        "ja": "資料に見つかりませんでした。(検索した語: {searched} ・ コレクション: {collection}) 言い方を変えるか、受付に問い合わせてください。",
        "en": "Not found in the documents. (searched for: {searched} · collection: {collection}) Try other words, or ask the front desk.",
    },
    # ---- the command lines ---------------------------------------------------------------------------------------------
    "cli.embedding_pending": {
        "ja": "意味検索の準備: {done}/{total} チャンク (キーワード検索はもう使えます)。残りはアプリの起動中に裏で埋め込みます。今すぐなら: python -m corpus embed -c {collection}",
        "en": "Meaning search: {done}/{total} chunks embedded (keyword search already works). The app embeds the rest in the background; to do it now: python -m corpus embed -c {collection}",
    },
    "cli.embedding": {"ja": "意味検索の準備", "en": "Embedding"},
    "cli.embedding_done": {
        "ja": "「{collection}」の意味検索の準備はできています。",
        "en": "Meaning search of '{collection}' is ready.",
    },
    "cli.crawl_summary": {
        "ja": "追加 {added} / 更新 {updated} / 変更なし {unchanged} / 重複 {duplicate} / 除外 {skipped} / 削除 {removed} / 失敗 {failed}",
        "en": "added {added} / updated {updated} / unchanged {unchanged} / duplicate {duplicate} / skipped {skipped} / removed {removed} / failed {failed}",
    },
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
    "cli.removed": {"ja": "削除しました: {source} (チャンク {chunks} 件)", "en": "Removed: {source} ({chunks} chunks)"},
    "cli.no_results": {"ja": "見つかりませんでした。", "en": "Nothing was found."},
    "cli.query_tokens": {"ja": "検索語: {tokens}", "en": "query tokens: {tokens}"},
    "cli.search_mode": {"ja": "検索方式: {mode}", "en": "retrieval: {mode}"},
    "cli.none": {"ja": "(なし)", "en": "(none)"},
    "cli.samples_indexed": {
        "ja": "サンプル文書をコレクション「{collection}」に取り込みました。",
        "en": "The sample documents were indexed into collection '{collection}'.",
    },
    "cli.demo_intro": {
        "ja": "サンプル文書 (コレクション「{collection}」) を検索できます。質問を入力してください。空行で終了します。\n例: 3Dプリンターは何時までに予約すればいい? / レーザーカッターで加工できない材料は?",
        "en": "Search the sample documents (collection '{collection}'). Type a question; an empty line quits.\nExamples: 3Dプリンターは何時までに予約すればいい? / レーザーカッターで加工できない材料は?",
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
    "cli.error_mark": {"ja": "[誤り]", "en": "[error]"},
    "cli.ok_with_warnings": {
        "ja": "OK (注意 {n} 件: ファイルは正しく、この機械の準備がまだです)",
        "en": "OK ({n} warnings: the file is right; this machine is not ready yet)",
    },
    "cli.warning_mark": {"ja": "[注意]", "en": "[warning]"},
    "cli.eval_answers": {
        "ja": "答えの評価 (資料から外した段落: {left_out}):",
        "en": "Answer metrics (paragraphs left out of the index: {left_out}):",
    },
    "cli.eval_interrupted": {
        "ja": "中断しました。{total} 問のうち {n} 問の結果を表示します。",
        "en": "Interrupted: showing the results of {n} of {total} questions.",
    },
    "cli.adapter_installed": {
        "ja": "オフライン案内係が使うアダプターを入れ替えました: {path}",
        "en": "Installed as the offline assistant's adapter: {path}",
    },
    "cli.adapter_mismatch": {
        "ja": "アダプターが llama.cpp で PyTorch と違う結果になりました。入れ替えずに残します: {path}",
        "en": "The adapter behaves differently in llama.cpp than in PyTorch; it was not installed: {path}",
    },
    "cli.adapter_verified": {
        "ja": "アダプターを llama.cpp で確かめました (PyTorch と同じ答えの向き): {path}",
        "en": "Adapter checked in llama.cpp (same effect as in PyTorch): {path}",
    },
    "cli.skipped_item": {"ja": "  飛ばしました: {source} — {reason}", "en": "  skipped: {source} — {reason}"},
    # ---- the app: builder ----------------------------------------------------------------------------------------------
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
    "ui.builder.weights_info": {
        "ja": "順位で融合するとき (USE の資料集、または「順位で融合」) に使う重みです。",
        "en": "Used when fusing by ranks (USE collections, or 'by ranks').",
    },
    "ui.builder.fusion": {"ja": "キーワード検索と意味検索の融合", "en": "How the two searches are fused"},
    "ui.builder.fusion.auto": {"ja": "自動 (おすすめ)", "en": "Automatic (recommended)"},
    "ui.builder.fusion.rrf": {"ja": "順位で融合 (RRF)", "en": "By ranks (RRF)"},
    "ui.builder.fusion.scores": {"ja": "スコアで融合", "en": "By scores"},
    "ui.builder.fusion_info": {
        "ja": "自動: USE の資料集は順位で、e5・Ollama の資料集はスコアで融合します (測って良かった方)。",
        "en": "Automatic: ranks for USE collections, scores for e5 and Ollama ones (what measured better).",
    },
    "ui.builder.vector_share": {"ja": "意味検索の割合", "en": "Meaning search's share"},
    "ui.builder.vector_share_info": {
        "ja": "スコアで融合するときに意味検索が占める割合です (0〜1)。",
        "en": "The meaning search's share when fusing by scores (0–1).",
    },
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
        "ja": "質問シート (CSV か XLSX) の列: **question** (質問)、**expected** (見つけてほしい資料のファイル名か URL、複数は ; 区切り)、**answer** (任意・正解、複数は ; 区切り。資料に答えがない質問は「なし」)、**keywords** (任意)。検索の評価では期待した資料が上位 k 件に入るか (recall@k) と順位 (MRR) を、「回答も評価する」では完全一致・文字 F1・正解を含むか・引用の正確さ・答えのない質問で断れたか・回答時間を調べます。",
        "en": "Question sheet (CSV or XLSX) columns: **question**, **expected** (the file name or URL that should be found; several separated by ;), **answer** (optional accepted answers separated by ;, or なし for questions the documents do not answer), **keywords** (optional). Retrieval gives recall@k and MRR; with answers it also measures exact match, character F1, contains, citation precision, refusal on unanswerable questions and time.",
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
    "ui.builder.with_answers": {"ja": "回答も評価する (時間がかかります)", "en": "Also evaluate the answers (slow)"},
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
    "ui.builder.advanced": {
        "ja": "詳細設定 (検索件数・重み・温度・文脈の長さ)",
        "en": "Advanced (results, weights, temperature, context length)",
    },
    "ui.builder.answering": {"ja": "{assistant}: 回答 {done}/{total}", "en": "{assistant}: answers {done}/{total}"},
    "ui.builder.answers_summary": {
        "ja": "回答の評価 (完全一致・文字 F1・含む・引用の正確さ・回答拒否・時間)",
        "en": "Answers (exact match, character F1, contains, citation precision, refusal, time)",
    },
    "ui.builder.created": {
        "ja": "作成しました。「YAML を編集」で開いています。",
        "en": "Created. It is open in 'Edit YAML'.",
    },
    "ui.builder.form_problems": {
        "ja": "フォームに直すところがあります: {problems}",
        "en": "Please correct the form: {problems}",
    },
    "ui.builder.k": {"ja": "上位 k 件 (k)", "en": "Top k (k)"},
    "ui.builder.no_id": {"ja": "ファイル名を選ぶか入力してください。", "en": "Choose or type a file name."},
    "ui.builder.no_sheet": {
        "ja": "質問シートのファイルを選んでください (またはサンプルを使ってください)。",
        "en": "Choose a question sheet file (or use the sample).",
    },
    "ui.builder.no_version": {"ja": "戻す版を選んでください。", "en": "Choose the version to restore."},
    "ui.builder.sheet.sample": {"ja": "サンプル (サンプル文書用)", "en": "the sample (for the sample documents)"},
    "ui.builder.sheet.uploaded": {"ja": "アップロードしたファイル", "en": "the uploaded file"},
    "ui.builder.sheet_source": {"ja": "使う質問シート", "en": "Question sheet to use"},
    "ui.builder.temperature_info": {
        "ja": "0 に近いほど毎回同じ答え、大きいほど言い回しが変わります。",
        "en": "Near 0 gives the same answer each time; higher varies the wording.",
    },
    "ui.builder.top_k_info": {
        "ja": "モデルに渡す資料の数です。多いほど見落としが減り、答えは遅くなります。",
        "en": "How many passages the model reads. More finds more, answers more slowly.",
    },
    # ---- the app: chat -------------------------------------------------------------------------------------------------
    "ui.chat.assistant": {"ja": "アシスタント", "en": "Assistant"},
    "ui.chat.show_prompt": {"ja": "送ったプロンプトを表示", "en": "Show the prompt sent"},
    "ui.chat.show_yaml": {"ja": "アシスタントの YAML を表示", "en": "Show the assistant's YAML"},
    "ui.chat.conversation": {"ja": "会話", "en": "Conversation"},
    "ui.chat.question": {"ja": "質問", "en": "Question"},
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
    "ui.chat.cited": {"ja": "引用", "en": "cited"},
    "ui.chat.no_sources": {
        "ja": "まだ資料はありません。質問すると、検索で見つかった資料がここに出ます。",
        "en": "No passages yet. Ask a question to see what the search finds.",
    },
    "ui.chat.scores": {
        "ja": "BM25 {bm25} ・ 意味 {vector} ・ 融合 {fused}",
        "en": "BM25 {bm25} · meaning {vector} · fused {fused}",
    },
    # ---- the app: corpus -----------------------------------------------------------------------------------------------
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
        "ja": "自動 (Ollama があれば bge-m3、なければ e5)",
        "en": "auto (Ollama bge-m3 if available, else e5)",
    },
    "ui.corpus.embedder.offline": {
        "ja": "オフライン (USE 多言語、サーバー不要)",
        "en": "offline (USE multilingual, no server)",
    },
    "ui.corpus.embedder.e5": {
        "ja": "オフライン・高精度 (e5、サーバー不要。キーワード検索はすぐ使え、意味検索は裏で準備)",
        "en": "offline, more accurate (e5, no server; keyword search at once, meaning search prepared in the background)",
    },
    "ui.corpus.embedder.ollama": {"ja": "Ollama (bge-m3)", "en": "Ollama (bge-m3)"},
    "ui.corpus.embedding_progress": {"ja": "意味検索の準備 {percent}%", "en": "meaning search {percent}% ready"},
    "ui.corpus.embedding_failed": {"ja": "意味検索の準備に失敗: {error}", "en": "meaning search failed: {error}"},
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
        "ja": "完了: 追加 {added} / 更新 {updated} / 変更なし {unchanged} / 失敗 {failed} / 対象外 {skipped} / 中断 {cancelled}",
        "en": "Done: added {added} / updated {updated} / unchanged {unchanged} / failed {failed} / skipped {skipped} / cancelled {cancelled}",
    },
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
    "ui.corpus.col.bm25": {"ja": "BM25", "en": "BM25"},
    "ui.corpus.col.content": {"ja": "本文", "en": "text"},
    "ui.corpus.col.fused": {"ja": "融合", "en": "fused"},
    "ui.corpus.col.how": {"ja": "読み方", "en": "read with"},
    "ui.corpus.col.vector": {"ja": "意味", "en": "meaning"},
    "ui.corpus.no_chunk": {
        "ja": "開くチャンクを選んでください (先に検索してください)。",
        "en": "Choose a chunk to open (search first).",
    },
    "ui.corpus.no_document": {"ja": "削除する文書を選んでください。", "en": "Choose the document to remove."},
    "ui.corpus.reindex_cancelled": {
        "ja": "中断しました。コレクションは元のままです。",
        "en": "Stopped. The collection is unchanged.",
    },
    "ui.corpus.ocr_progress": {
        "ja": "{done}/{total} 件目 {name}: OCR で {page}/{pages} ページを読み取っています…",
        "en": "File {done}/{total} {name}: OCR on page {page}/{pages}…",
    },
    "ui.corpus.page_progress": {
        "ja": "{done}/{total} 件目 {name}: {page}/{pages} ページを読んでいます…",
        "en": "File {done}/{total} {name}: reading page {page}/{pages}…",
    },
    # ---- the app: crawl ------------------------------------------------------------------------------------------------
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
    "ui.crawl.col.chunks": {"ja": "チャンク", "en": "chunks"},
    "ui.crawl.col.status": {"ja": "状態", "en": "status"},
    "ui.crawl.col.title": {"ja": "タイトル", "en": "title"},
    "ui.crawl.col.url": {"ja": "URL", "en": "URL"},
    # ---- the app: eval -------------------------------------------------------------------------------------------------
    "ui.eval.col.MRR": {"ja": "MRR (順位の逆数の平均)", "en": "MRR"},
    "ui.eval.col.accepted": {"ja": "正解", "en": "accepted answers"},
    "ui.eval.col.answer": {"ja": "回答", "en": "answer"},
    "ui.eval.col.answerable": {"ja": "答えのある質問", "en": "answerable"},
    "ui.eval.col.assistant": {"ja": "アシスタント", "en": "assistant"},
    "ui.eval.col.citation_precision": {"ja": "引用の正確さ", "en": "citation precision"},
    "ui.eval.col.contains": {"ja": "正解を含む", "en": "contains"},
    "ui.eval.col.exact": {"ja": "完全一致", "en": "exact"},
    "ui.eval.col.exact_match": {"ja": "完全一致", "en": "exact match"},
    "ui.eval.col.expected": {"ja": "期待する資料", "en": "expected"},
    "ui.eval.col.f1": {"ja": "文字 F1", "en": "character F1"},
    "ui.eval.col.false_refusal": {"ja": "答えがあるのに断った割合", "en": "refusal on answerable"},
    "ui.eval.col.hit": {"ja": "見つかった", "en": "found"},
    "ui.eval.col.k": {"ja": "k", "en": "k"},
    "ui.eval.col.keyword_hits": {"ja": "含まれたキーワード", "en": "keywords contained"},
    "ui.eval.col.keywords": {"ja": "キーワード", "en": "keywords"},
    "ui.eval.col.keywords_contained": {"ja": "キーワードを含む割合", "en": "keywords contained"},
    "ui.eval.col.p50_seconds": {"ja": "回答時間 中央値 (秒)", "en": "p50 seconds"},
    "ui.eval.col.p95_seconds": {"ja": "回答時間 95% (秒)", "en": "p95 seconds"},
    "ui.eval.col.question": {"ja": "質問", "en": "question"},
    "ui.eval.col.questions": {"ja": "質問数", "en": "questions"},
    "ui.eval.col.rank": {"ja": "順位", "en": "rank"},
    "ui.eval.col.recall_at_k": {"ja": "recall@k (上位 k 件に入った割合)", "en": "recall@k"},
    "ui.eval.col.reciprocal_rank": {"ja": "順位の逆数", "en": "reciprocal rank"},
    "ui.eval.col.refusal": {"ja": "答えなしに「資料にない」と答えた割合", "en": "refusal on unanswerable"},
    "ui.eval.col.refused": {"ja": "断った", "en": "refused"},
    "ui.eval.col.retrieved": {"ja": "見つかった資料", "en": "retrieved"},
    "ui.eval.col.seconds": {"ja": "秒", "en": "seconds"},
    "ui.eval.col.unanswerable": {"ja": "答えのない質問", "en": "unanswerable"},
    # ---- the app: export -----------------------------------------------------------------------------------------------
    "ui.export.f16": {"ja": "16 ビット (f16)", "en": "16-bit (f16)"},
    "ui.export.f32": {"ja": "32 ビット (f32・最も正確)", "en": "32-bit (f32, exact)"},
    "ui.export.format": {"ja": "GGUF の形式", "en": "GGUF format"},
    "ui.export.q8_0": {"ja": "8 ビット (q8_0・小さい)", "en": "8-bit (q8_0, smaller)"},
    "ui.export.running": {
        "ja": "書き出し中です (統合 → GGUF → llama.cpp での確認)…",
        "en": "Exporting (merge → GGUF → check in llama.cpp)…",
    },
    # ---- the app: generator --------------------------------------------------------------------------------------------
    "ui.generator.ollama": {"ja": "Ollama", "en": "Ollama"},
    "ui.generator.local": {"ja": "ローカル GGUF (llama.cpp)", "en": "local GGUF (llama.cpp)"},
    "ui.generator.none": {"ja": "抜粋 (モデルなし)", "en": "excerpts (no model)"},
    # ---- the app: job --------------------------------------------------------------------------------------------------
    "ui.job.cancelled": {
        "ja": "■ {label} — 中断しました ({started} 開始、{finished} 中断)",
        "en": "■ {label} — cancelled (started {started}, stopped {finished})",
    },
    "ui.job.cancelling": {
        "ja": "中断しています… 今の区切り (ファイル・ページ・ステップ) が終わると止まります。",
        "en": "Stopping… it stops after the current file, page or step.",
    },
    "ui.job.crawl": {"ja": "「{collection}」にウェブ取り込み ({url})", "en": "Crawling {url} into '{collection}'"},
    "ui.job.done": {
        "ja": "✓ {label} — 完了 ({started} 開始、{finished} 終了、{seconds} 秒)",
        "en": "✓ {label} — done (started {started}, finished {finished}, {seconds} s)",
    },
    "ui.job.evaluation": {"ja": "評価 ({assistants})", "en": "Evaluation ({assistants})"},
    "ui.job.export": {"ja": "「{name}」の書き出し", "en": "Exporting '{name}'"},
    "ui.job.failed": {
        "ja": "⚠ {label} — 失敗しました ({started} 開始、{finished} 終了)",
        "en": "⚠ {label} — failed (started {started}, ended {finished})",
    },
    "ui.job.nothing_running": {"ja": "実行中の作業はありません。", "en": "Nothing is running."},
    "ui.job.reindex": {"ja": "「{collection}」の再インデックス", "en": "Re-indexing '{collection}'"},
    "ui.job.running": {"ja": "▶ {label} ({started} 開始)", "en": "▶ {label} (started {started})"},
    "ui.job.scratch": {
        "ja": "言語モデルの学習 ({collection}, {preset})",
        "en": "Training a language model ({collection}, {preset})",
    },
    "ui.job.stopped_with_checkpoint": {
        "ja": "中断しました (チェックポイントを保存: {path}、ステップ {step})。「前回の続きから」で再開できます。",
        "en": "Stopped (checkpoint saved: {path}, step {step}). Resume it with 'continue the previous run'.",
    },
    "ui.job.tone": {"ja": "味付け「{name}」", "en": "Tone tuning '{name}'"},
    "ui.job.upload": {"ja": "「{collection}」に {n} ファイルを追加", "en": "Adding {n} files to '{collection}'"},
    # ---- the app: launch -----------------------------------------------------------------------------------------------
    "ui.launch.no_admin": {
        "ja": "注意: ログインがありますが --admin が指定されていないため、管理者の操作 (コレクションの作成・削除、アシスタントの編集、学習) は誰にもできません。",
        "en": "Note: logins are set but no --admin was given, so nobody can do administrator work (collections, assistants, training).",
    },
    "ui.launch.share_needs_auth": {
        "ja": "--share は公開リンクを作るため、ログインなしでは起動しません。--auth ユーザー:パスワード か --auth-file ファイル を一緒に指定してください。",
        "en": "--share creates a public link, so it does not start without a login. Add --auth USER:PASS or --auth-file FILE.",
    },
    "ui.launch.bad_auth": {
        "ja": "ログイン情報 ({where}) の形が違います。ユーザー:パスワード の形で書いてください。",
        "en": "The login ({where}) is malformed. Write it as USER:PASS.",
    },
    "ui.launch.auth_file_unreadable": {
        "ja": "ログイン情報のファイル {path} を読めません ({detail})。",
        "en": "The login file {path} cannot be read ({detail}).",
    },
    "ui.launch.auth_message": {"ja": "tokka にログインしてください。", "en": "Please log in to tokka."},
    "ui.launch.starting": {"ja": "tokka を起動しました: {url}", "en": "tokka is running at {url}"},
    "ui.launch.auth_line": {"ja": "{file} の {n} 行目", "en": "line {n} of {file}"},
    "ui.launch.auth_option": {"ja": "{n} 番目の --auth", "en": "--auth number {n}"},
    "ui.launch.host_needs_auth": {
        "ja": "--host {host} は他のパソコンからつながるため、ログインなしでは起動しません。--auth ユーザー:パスワード か --auth-file ファイル を一緒に指定してください。",
        "en": "--host {host} is reachable from other computers, so it does not start without logins. Add --auth USER:PASS or --auth-file FILE.",
    },
    # ---- the app: logout -----------------------------------------------------------------------------------------------
    "ui.logout": {"ja": "ログアウト", "en": "Log out"},
    # ---- the app: mode -------------------------------------------------------------------------------------------------
    "ui.mode.bm25": {"ja": "キーワード (BM25)", "en": "keywords (BM25)"},
    "ui.mode.hybrid": {"ja": "ハイブリッド (キーワード + 意味)", "en": "hybrid (keywords + meaning)"},
    "ui.mode.vector": {"ja": "意味 (ベクトル)", "en": "meaning (vector)"},
    # ---- the app: plot -------------------------------------------------------------------------------------------------
    "ui.plot.loss": {"ja": "損失", "en": "loss"},
    "ui.plot.series": {"ja": "種類", "en": "series"},
    "ui.plot.step": {"ja": "ステップ", "en": "step"},
    # the colours are apps.views.loss_plot_kwargs'; said here because Gradio 6 draws the legend without its entries
    "ui.plot.title": {
        "ja": "損失の推移 (青 = 学習、橙 = 検証)",
        "en": "Loss (blue = training, orange = validation)",
    },
    "ui.plot.train": {"ja": "学習", "en": "training"},
    "ui.plot.validation": {"ja": "検証", "en": "validation"},
    # ---- the app: role -------------------------------------------------------------------------------------------------
    "ui.role.admin": {"ja": "管理者", "en": "administrators"},
    "ui.role.member": {"ja": "メンバー", "en": "members"},
    "ui.role.uploader": {"ja": "ファイルを追加できる人", "en": "people allowed to upload"},
    # ---- the app: scratch ----------------------------------------------------------------------------------------------
    "ui.scratch.intro": {
        "ja": "コレクションの文章だけで、小さな言語モデルをゼロから学習します。損失 (loss) が下がり、生成される文が少しずつ文章らしくなる様子を見られます。学習したモデルは GGUF に書き出して llama.cpp や Ollama で動かせます。",
        "en": "Train a small language model from nothing but a collection's text. Watch the loss fall and the samples become more like sentences. Export the result to GGUF to run it in llama.cpp or Ollama.",
    },
    "ui.scratch.preset": {"ja": "大きさ (プリセット)", "en": "Size (preset)"},
    "ui.scratch.preset_info": {
        "ja": "パラメータ数 **{n}** (語彙 {vocab}) ・ {layers} 層 ・ 幅 {dim} ・ 文脈 {seq} トークン ・ 目安: {note}",
        "en": "**{n}** parameters (vocabulary {vocab}) · {layers} layers · width {dim} · context {seq} tokens · for: {note}",
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
        "ja": "学習開始: パラメータ {parameters} ・ 語彙 {vocab_size} ・ 学習トークン {train_tokens} ({device})",
        "en": "Training: {parameters} parameters · vocabulary {vocab_size} · {train_tokens} training tokens ({device})",
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
    "ui.scratch.bad_preset": {"ja": "大きさ「{preset}」は選べません。", "en": "The size '{preset}' is not offered."},
    "ui.scratch.batch_size_info": {
        "ja": "一度に学習する文の数です。0 なら大きさに合った値を使います。",
        "en": "Texts per step. 0 uses the size's own value.",
    },
    "ui.scratch.preset.cpu-small": {"ja": "CPU で 1 時間ほど", "en": "a CPU, about an hour"},
    "ui.scratch.preset.cpu-tiny": {"ja": "CPU で数分", "en": "a CPU, minutes"},
    "ui.scratch.preset.gpu-medium": {"ja": "GPU 向け", "en": "a GPU"},
    "ui.scratch.preset_name.cpu-small": {"ja": "小さい (CPU)", "en": "small (CPU)"},
    "ui.scratch.preset_name.cpu-tiny": {"ja": "とても小さい (CPU)", "en": "tiny (CPU)"},
    "ui.scratch.preset_name.gpu-medium": {"ja": "中くらい (GPU)", "en": "medium (GPU)"},
    # ---- the app: status -----------------------------------------------------------------------------------------------
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
    "ui.status.added": {"ja": "追加", "en": "added"},
    "ui.status.updated": {"ja": "更新", "en": "updated"},
    "ui.status.unchanged": {"ja": "変更なし", "en": "unchanged"},
    "ui.status.failed": {"ja": "失敗", "en": "failed"},
    "ui.status.skipped": {"ja": "除外", "en": "skipped"},
    "ui.status.cancelled": {"ja": "中止", "en": "cancelled"},
    "ui.status.duplicate": {"ja": "重複", "en": "duplicate"},
    "ui.status.removed": {"ja": "削除", "en": "removed"},
    "ui.status.jobs": {"ja": "実行中の作業: {jobs}", "en": "Running: {jobs}"},
    "ui.status.title": {"ja": "状態 (保存先・Ollama・アシスタント)", "en": "Status (store, Ollama, assistants)"},
    # ---- the app: tab --------------------------------------------------------------------------------------------------
    "ui.tab.chat": {"ja": "チャット", "en": "Chat"},
    "ui.tab.corpus": {"ja": "コーパス", "en": "Corpus"},
    "ui.tab.builder": {"ja": "アシスタントを作る", "en": "Assistant builder"},
    "ui.tab.tone": {"ja": "文章の味付け (トーン調整)", "en": "Tone tuning"},
    "ui.tab.scratch": {"ja": "小さな言語モデルを作る", "en": "Small LM from scratch"},
    # ---- the app: title ------------------------------------------------------------------------------------------------
    "ui.title": {"ja": "特化AI工房 tokka", "en": "tokka — specialised AI workshop"},
    # ---- the app: toast ------------------------------------------------------------------------------------------------
    "ui.toast.error": {"ja": "エラー", "en": "Error"},
    "ui.toast.refused": {"ja": "権限がありません", "en": "Not allowed"},
    # ---- the app: tone -------------------------------------------------------------------------------------------------
    "ui.tone.intro": {
        "ja": "団体の例文 (質問と理想の答え) で、チャットモデルの書き方を調整します。NVIDIA の GPU があれば速く、なければ CPU で小さなモデルを調整します。調整したモデルは GGUF に書き出して Ollama に登録でき、どのアシスタントでも使えます。",
        "en": "Adjust how a chat model writes with the organisation's examples (questions and ideal answers). With an NVIDIA GPU it is fast; without one, small models are tuned on the CPU. Export the result to GGUF and Ollama to use it in any assistant.",
    },
    "ui.tone.name": {"ja": "実行名 (モデル名にもなります)", "en": "Run name (also the model name)"},
    "ui.tone.data": {"ja": "例文 (CSV / XLSX / JSONL)", "en": "Examples (CSV / XLSX / JSONL)"},
    "ui.tone.base": {"ja": "元のモデル", "en": "Base model"},
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
    "ui.tone.preset": {"ja": "GPU のメモリ", "en": "GPU memory"},
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
    "ui.tone.alpha_info": {
        "ja": "学んだ差分をどれだけ強く効かせるか。ふつうはランクの 2 倍です。",
        "en": "How strongly the learnt difference applies; usually twice the rank.",
    },
    "ui.tone.backend.peft": {"ja": "CPU (transformers + PEFT)", "en": "CPU (transformers + PEFT)"},
    "ui.tone.backend.unsloth": {"ja": "GPU (Unsloth)", "en": "GPU (Unsloth)"},
    "ui.tone.base_info": {
        "ja": "gemma3-270m は同梱の小さなモデル (お試し用)。ほかのモデルは data/models/hf/ に置くと出てきます。",
        "en": "gemma3-270m is the small packaged model (for trying). Put other models in data/models/hf/ to see them here.",
    },
    "ui.tone.col.question": {"ja": "質問", "en": "question"},
    "ui.tone.col.reply": {"ja": "答え", "en": "reply"},
    "ui.tone.col.system": {"ja": "システム", "en": "system"},
    "ui.tone.details": {"ja": "詳細設定 (LoRA のパラメータ)", "en": "Details (LoRA parameters)"},
    "ui.tone.done": {"ja": "完了。アダプター: {out}", "en": "Done. Adapter: {out}"},
    "ui.tone.early_stop": {
        "ja": "検証損失が下がらなくなったので、ステップ {step} で止めました (最良 {val})。",
        "en": "Stopped early at step {step}: the validation loss stopped improving (best {val}).",
    },
    "ui.tone.epochs_info": {
        "ja": "例文全体を何回くり返して学ぶか。",
        "en": "How many times the examples are gone through.",
    },
    "ui.tone.four_bit_info": {
        "ja": "元のモデルを 4 ビットで読み込み、メモリを節約します (QLoRA)。",
        "en": "Load the base model in 4 bits to save memory (QLoRA).",
    },
    "ui.tone.lr_info": {
        "ja": "一歩で重みをどれだけ動かすか。大きすぎると学習が乱れます。",
        "en": "How far each step moves the weights; too large makes training unstable.",
    },
    "ui.tone.max_len_info": {
        "ja": "1 例の長さの上限 (トークン)。0 ならメモリの設定に合わせます。",
        "en": "Longest example in tokens. 0 follows the memory setting.",
    },
    "ui.tone.patience_info": {
        "ja": "検証損失がこの回数続けて下がらなければ止めます (0 = 止めない)。",
        "en": "Stop when the validation loss has not improved this many times (0 = never).",
    },
    "ui.tone.preset.auto": {"ja": "自動 (この機械に合わせる)", "en": "automatic (this machine)"},
    "ui.tone.preset.cpu": {"ja": "GPU なし (CPU・小さなモデルだけ)", "en": "no GPU (CPU, small models only)"},
    "ui.tone.preset.gpu-16gb": {"ja": "16 GB の GPU (長い文も)", "en": "16 GB GPU (longer texts)"},
    "ui.tone.preset.gpu-24gb": {"ja": "24 GB の GPU (速い・13–14B も)", "en": "24 GB GPU (faster, or 13–14B)"},
    "ui.tone.preset.gpu-8gb": {"ja": "8 GB の GPU (7–8B のモデル)", "en": "8 GB GPU (7–8B models)"},
    "ui.tone.rank_info": {
        "ja": "学ぶ差分の大きさ。大きいほど細かく覚え、メモリと時間が増えます。",
        "en": "Size of the learnt difference; larger learns more detail, needs more memory and time.",
    },
    "ui.tone.started": {
        "ja": "調整開始: {backend} ・ 学習するパラメータ {trainable} ・ {steps} ステップ ・ 学習 {train} 例 / 検証 {validation} 例",
        "en": "Tuning: {backend} · {trainable} trainable parameters · {steps} steps · {train} training / {validation} validation examples",
    },
    "ui.tone.steps_info": {
        "ja": "0 なら回数から決めます。数を入れるとその歩数で止めます。",
        "en": "0 derives it from the epochs; a number stops after that many steps.",
    },
    "ui.tone.strength": {"ja": "味付けの強さ", "en": "How strongly to tune"},
    "ui.tone.strength.light": {"ja": "少しだけ", "en": "a little"},
    "ui.tone.strength.standard": {"ja": "ふつう", "en": "standard"},
    "ui.tone.strength.strong": {"ja": "しっかり", "en": "strongly"},
    "ui.tone.strength_info": {
        "ja": "まずは「ふつう」で試し、口調が出なければ「しっかり」にします。",
        "en": "Start with 'standard'; choose 'strong' if the tone does not come through.",
    },
    "ui.tone.targets_info": {
        "ja": "差分を学ぶ層の種類。ふつうは全部のままで構いません。",
        "en": "Which layers learn the difference; usually leave all ticked.",
    },
    "ui.tone.use_details": {
        "ja": "下の値を使う (チェックしなければ「味付けの強さ」で決まります)",
        "en": "Use the values below (otherwise 'how strongly' decides)",
    },
    "ui.tone.converting": {
        "ja": "同梱のモデルを調整できる形に変換しています ({step}/3、初回だけ 1 分ほどかかります)…",
        "en": "Converting the packaged model for tuning ({step}/3; about a minute, only the first time)…",
    },
    # ---- the app: train ------------------------------------------------------------------------------------------------
    "ui.train.overfitting": {
        "ja": "検証損失が学習損失より大きく離れています (例文を丸暗記しています)。例文を増やすか、ステップ数か強さを下げてください。",
        "en": "The validation loss is far above the training loss (the examples are being learnt by heart). Add examples, or lower the steps or the strength.",
    },
    "ui.train.resume": {"ja": "前回の続きから学習する", "en": "Continue the previous run"},
    # ---- the app: type -------------------------------------------------------------------------------------------------
    "ui.type.csv": {"ja": "CSV", "en": "CSV"},
    "ui.type.doc": {"ja": "Word (旧形式)", "en": "Word (legacy)"},
    "ui.type.docx": {"ja": "Word", "en": "Word"},
    "ui.type.eml": {"ja": "メール", "en": "email"},
    "ui.type.html": {"ja": "HTML", "en": "HTML"},
    "ui.type.image": {"ja": "画像 (OCR)", "en": "image (OCR)"},
    "ui.type.json": {"ja": "JSON", "en": "JSON"},
    "ui.type.jsonl": {"ja": "JSON Lines", "en": "JSON Lines"},
    "ui.type.md": {"ja": "Markdown", "en": "Markdown"},
    "ui.type.pdf": {"ja": "PDF", "en": "PDF"},
    "ui.type.ppt": {"ja": "PowerPoint (旧形式)", "en": "PowerPoint (legacy)"},
    "ui.type.pptx": {"ja": "PowerPoint", "en": "PowerPoint"},
    "ui.type.txt": {"ja": "テキスト", "en": "text"},
    "ui.type.web": {"ja": "ウェブページ", "en": "web page"},
    "ui.type.xls": {"ja": "Excel (旧形式)", "en": "Excel (legacy)"},
    "ui.type.xlsx": {"ja": "Excel", "en": "Excel"},
    # ---- the app: user -------------------------------------------------------------------------------------------------
    "ui.user.local": {
        "ja": "このパソコンだけで使っています (ログインなし・管理者)",
        "en": "Local use on this computer (no logins, administrator)",
    },
    "ui.user.logged_in": {"ja": "ログイン中: **{user}** ({role})", "en": "Logged in as **{user}** ({role})"},
    # ---- other ---------------------------------------------------------------------------------------------------------
    "doc.mail.attachments": {"ja": "添付", "en": "Attachments"},
    "doc.mail.date": {"ja": "日付", "en": "Date"},
    "doc.mail.from": {"ja": "差出人", "en": "From"},
    "doc.mail.to": {"ja": "宛先", "en": "To"},
    "doc.notes": {"ja": "ノート", "en": "Notes"},
    "doc.slide": {"ja": "スライド", "en": "Slide"},
    "extraction.as": {"ja": "中身は {value} として読みました", "en": "read as {value} (by its content)"},
    "extraction.join": {"ja": "、", "en": ", "},
    "extraction.ocr": {"ja": "OCR {n} ページ", "en": "OCR {n} pages"},
    "extraction.ocr_skipped": {
        "ja": "OCR の上限を超えた {n} ページは未処理",
        "en": "{n} pages over the OCR limit not read",
    },
    "extraction.pdfium": {"ja": "PDFium {n} ページ", "en": "PDFium {n} pages"},
    "extraction.pdfminer": {"ja": "pdfminer {n} ページ", "en": "pdfminer {n} pages"},
    "extraction.unreadable": {
        "ja": "読めないページ {n} (文字化けのため除外)",
        "en": "{n} unreadable pages (garbled, left out)",
    },
    "extraction.via": {"ja": "{value} で変換", "en": "converted by {value}"},
}


def for_ui(key: str) -> str:
    """The key to show in the app: its `@ui` variant when there is one.

    Messages for the command line may tell the reader to run a command or set an environment variable; in the app
    the reader cannot, so such a message has a variant (`key@ui`) that says what to do there instead.
    """
    variant = f"{key}@ui"
    return variant if variant in MESSAGES else key


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Return the message `key` in `lang` (default: the configured language), filled with `params`.

    A missing translation falls back to Japanese, then to the key itself, so a message is never lost. With
    `TOKKA_STRICT_LOCALE=1` (the test suite sets it) a missing key or placeholder raises instead, so a typo in a
    key or a renamed placeholder fails a test rather than showing a half-filled message to a user.

    :raises KeyError: in strict mode, for an unknown key or a placeholder without a value.
    """
    lang = lang or get_settings().language
    strict = os.environ.get("TOKKA_STRICT_LOCALE") == "1"
    entry = MESSAGES.get(key)
    if entry is None:
        if strict:
            msg = f"Unknown message key {key!r}"
            raise KeyError(msg)
        return key if not params else f"{key} {params}"
    template = entry.get(lang) or entry["ja"]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        if strict:
            raise
        return template
