/* vocab.c — the fixed vocabularies (see docs/policy-format.md). */
#include "mamori/vocab.h"
#include "suggest.h"

#include <string.h>

#define VOCAB(name, table) { name, table, sizeof(table) / sizeof(table[0]) }

static const struct mamori_vocab_entry restriction_entries[] = {
	{ "issued-terminal-only", "支給以外の端末での作業の原則禁止",
	  "work only on terminals issued by the organisation" },
	{ "no-excess-copies", "必要以上の複製及び配付禁止",
	  "no copies or distribution beyond what the work needs" },
	{ "restricted-storage", "保管場所の制限、保管場所への必要以上の電磁的記録媒体等の持ち込み禁止",
	  "designated storage place only; no unneeded media brought into it" },
	{ "encrypt-in-transit", "情報の送信、情報資産の運搬・提供時における暗号化・パスワード設定や鍵付きケースへの格納",
	  "encrypt or password-protect when sending, carrying or handing over; locked case for media" },
	{ "irreversible-disposal", "復元不可能な処理を施しての廃棄",
	  "dispose of only in a way that cannot be recovered" },
	{ "trusted-network", "信頼のできるネットワーク回線の選択",
	  "use only trusted network lines" },
	{ "external-processing-rules", "外部で情報処理を行う際の安全管理措置の規定",
	  "processing outside the office follows the set safety measures" },
	{ "locked-media-storage", "電磁的記録媒体の施錠可能な場所への保管",
	  "keep electronic media in a lockable place" },
	{ "backup", "バックアップ", "keep a backup" },
	{ "electronic-signature", "電子署名付与", "sign electronically" },
	{ "timely-recovery", "指定する時間以内の復旧", "recover within the set time" },
};

static const struct mamori_vocab_entry requirement_entries[] = {
	{ "isolated", "他の領域との通信をできないようにする",
	  "no communication with other segments, as a rule" },
	{ "no-take-out", "端末からの情報持ち出し不可設定",
	  "terminals are set so that data cannot be taken out" },
	{ "mfa", "端末への多要素認証の導入", "multi-factor authentication on terminals" },
	{ "path-separation", "通信経路の分割",
	  "separated communication paths; only safe communication allowed" },
	{ "monitoring", "不正通信の監視機能", "monitoring for illicit traffic" },
	{ "security-cloud", "自治体情報セキュリティクラウドの導入",
	  "internet traffic through the prefectural security cloud" },
};

static const struct mamori_vocab_entry channel_entries[] = {
	{ "mail", "電子メール", "e-mail" },
	{ "web", "ウェブ閲覧", "web browsing" },
	{ "file-transfer", "ファイル転送", "file transfer" },
	{ "screen-transfer", "画面転送", "screen transfer (remote display)" },
	{ "media", "電磁的記録媒体", "removable media" },
	{ "api", "システム間連携", "system-to-system interface" },
};

static const struct mamori_vocab_entry sanitization_entries[] = {
	{ "none", "無害化なし", "no sanitization" },
	{ "mail-text", "メール本文のテキスト化", "mail converted to plain text" },
	{ "file-disarm", "ファイルの無害化", "file disarm and reconstruction" },
	{ "screen-only", "画面転送による無害化", "only screen images cross" },
};

static const struct mamori_vocab_entry action_entries[] = {
	{ "read", "閲覧", "read" },
	{ "write", "更新", "write or change" },
	{ "copy", "複製", "copy" },
	{ "print", "印刷", "print" },
	{ "send", "送信", "send" },
	{ "take_out", "持ち出し", "take out of the office" },
	{ "transfer", "運搬・提供", "carry or hand over" },
	{ "store", "保管", "store" },
	{ "dispose", "廃棄", "dispose of" },
	{ "publish", "公表", "publish" },
	{ "release", "隔離原本の取出し承認", "approve the release of a quarantined original (無害化前の原本)" },
};

static const struct mamori_vocab_entry scope_entries[] = {
	{ "all", "全ての所管課", "assets of every department" },
	{ "department", "自所属", "assets of the holder's own department" },
	{ "none", "なし", "no assets" },
};

static const struct mamori_vocab_entry manage_entries[] = {
	{ "users", "利用者IDの管理（登録、変更、抹消等）", "accounts of people and systems" },
	{ "policy", "ポリシーの変更", "replace the policy in force" },
};

static const struct mamori_vocab_entry decision_log_entries[] = {
	{ "all", "全ての判定を記録", "log every decision" },
	{ "denials", "拒否した判定を記録", "log denials only" },
	{ "none", "記録しない", "log no decisions" },
};

static const struct mamori_vocab_entry record_type_entries[] = {
	{ "text", "文字列", "a line of text" },
	{ "longtext", "文章", "several lines of text" },
	{ "number", "数値", "a whole number" },
	{ "date", "日付", "a date (和暦 accepted)" },
	{ "datetime", "日時", "a date and time, in the organisation's zone" },
	{ "choice", "選択", "one of the field's choices" },
	{ "asset", "情報資産", "an asset of the register" },
	{ "account", "利用者", "an account" },
	{ "department", "課", "a department of the organisation" },
	{ "role", "役割", "a role of the policy" },
	{ "threat", "脅威", "a threat of the policy" },
	{ "segment", "ネットワーク区分", "a network segment of the policy" },
	{ "file", "ファイル", "an attached file (evidence)" },
	{ "action", "操作", "an action of the decision point (read, send, take_out …)" },
	{ "record", "記録", "a record of the kind the field names (of: course)" },
};

static const struct mamori_vocab_entry record_effect_entries[] = {
	{ "approval", "承認", "an approved record lets its reporter do the action to its assets" },
	{ "exception", "例外措置", "a request the policy denies is allowed while a matching record is in force" },
	{ "limit", "取り扱える情報の上限", "a service named by context.service holds assets up to its level for the actions listed" },
	{ "terminal", "端末の台帳", "a terminal named by subject.terminal.id is judged on the register's segment, issued and MFA" },
};

static const struct mamori_vocab_entry record_relation_entries[] = {
	{ "reporter", "報告者・申請者", "who made the record" },
	{ "owner", "情報資産の管理責任者", "the 管理責任者 (role and 課) of an asset the record names" },
	{ "approver", "承認者", "who took the approving step" },
};

static const struct mamori_vocab_entry escalation_entries[] = {
	{ "reports_to", "上位の役割へ", "the next role up the policy's reports_to" },
};

const struct mamori_vocab mamori_record_types = VOCAB("field type", record_type_entries);
const struct mamori_vocab mamori_record_relations = VOCAB("relation", record_relation_entries);
const struct mamori_vocab mamori_escalations = VOCAB("escalation", escalation_entries);
const struct mamori_vocab mamori_record_effects = VOCAB("effect", record_effect_entries);
const struct mamori_vocab mamori_restrictions = VOCAB("restriction", restriction_entries);
const struct mamori_vocab mamori_requirements = VOCAB("requirement", requirement_entries);
const struct mamori_vocab mamori_channels = VOCAB("channel", channel_entries);
const struct mamori_vocab mamori_sanitizations = VOCAB("sanitization", sanitization_entries);
const struct mamori_vocab mamori_actions = VOCAB("action", action_entries);
const struct mamori_vocab mamori_access_scopes = VOCAB("scope", scope_entries);
const struct mamori_vocab mamori_manage_targets = VOCAB("manage", manage_entries);
const struct mamori_vocab mamori_decision_logs = VOCAB("decision_log", decision_log_entries);

const struct mamori_vocab_entry *
mamori_vocab_find(const struct mamori_vocab *v, const char *id)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->entries[i].id, id) == 0)
			return &v->entries[i];
	return NULL;
}

const char *
mamori_vocab_suggest(const struct mamori_vocab *v, const char *id)
{
	const char *ids[32];
	size_t n = v->count < 32 ? v->count : 32;

	for (size_t i = 0; i < n; i++)
		ids[i] = v->entries[i].id;
	return mamori_suggest(id, ids, n);
}
