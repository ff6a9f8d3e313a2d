#include "server/server_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <filesystem>

#include "common/clock.h"

namespace askio::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  kb TEXT NOT NULL,
  role INTEGER NOT NULL,
  secret_sha256 TEXT NOT NULL UNIQUE,
  rate_limit REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL DEFAULT '',
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  kb TEXT NOT NULL,
  key_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_kb ON conversations(kb, key_id, updated_at);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  citations TEXT NOT NULL DEFAULT '[]',
  found INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, seq);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY,
  kb TEXT NOT NULL,
  message_id TEXT NOT NULL,
  rating TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  question TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_kb ON feedback(kb, created_at);
)sql";

// Base62 keeps keys copy-paste safe (no characters a shell or URL mangles).
std::string RandomBase62(size_t chars) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  unsigned char buf[64];
  while (out.size() < chars) {
    RAND_bytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= 248) continue;  // 248 = 4 * 62: keeps the draw uniform
      out += kAlphabet[b % 62];
      if (out.size() == chars) break;
    }
  }
  return out;
}

constexpr const char* kKeyColumns = "id, name, kb, role, rate_limit, created_at, last_used_at";

ApiKey KeyFromRow(const store::Statement& st) {
  ApiKey k;
  k.id = st.Int(0);
  k.name = st.Text(1);
  k.kb = st.Text(2);
  k.role = static_cast<Role>(st.Int(3));
  k.rate_limit = st.Double(4);
  k.created_at = st.Text(5);
  k.last_used_at = st.Text(6);
  return k;
}

constexpr const char* kConversationColumns =
    "c.id, c.kb, c.key_id, c.title, c.created_at, c.updated_at, "
    "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)";

Conversation ConversationFromRow(const store::Statement& st) {
  Conversation c;
  c.id = st.Text(0);
  c.kb = st.Text(1);
  c.key_id = st.Int(2);
  c.title = st.Text(3);
  c.created_at = st.Text(4);
  c.updated_at = st.Text(5);
  c.messages = st.Int(6);
  return c;
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kReader:
      return "reader";
    case Role::kEditor:
      return "editor";
    case Role::kAdmin:
      return "admin";
  }
  return "reader";
}

Result<Role> ParseRole(const std::string& name) {
  if (name == "reader") return Role::kReader;
  if (name == "editor") return Role::kEditor;
  if (name == "admin") return Role::kAdmin;
  return Err(Status::InvalidArgument("unknown role '" + name + "': use reader, editor or admin"));
}

nlohmann::json ApiKeyJson(const ApiKey& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"kb", k.kb},
          {"role", RoleName(k.role)},
          {"rate_limit", k.rate_limit},
          {"created_at", k.created_at},
          {"last_used_at", k.last_used_at}};
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::unique_ptr<ServerStore>> ServerStore::Open(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Err(Status::IOError("cannot create " + data_dir + ": " + ec.message()));
  auto conn = store::Connection::Open(data_dir + "/server.db");
  if (!conn) return Err(conn.error());
  std::unique_ptr<ServerStore> s(new ServerStore(std::move(*conn)));
  ASKIO_RETURN_IF_ERROR(
      s->db_.Exec("PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                  "PRAGMA foreign_keys=ON;"));
  ASKIO_RETURN_IF_ERROR(s->db_.Exec(kSchema));
  return s;
}

Result<NewKey> ServerStore::CreateKey(const std::string& kb, Role role, const std::string& name,
                                      double rate_limit) {
  NewKey out;
  out.secret = "askio_" + RandomBase62(40);  // 238 bits
  out.key.name = name;
  out.key.kb = kb;
  out.key.role = role;
  out.key.rate_limit = rate_limit;
  out.key.created_at = NowIso8601();
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(
      "INSERT INTO api_keys(name, kb, role, secret_sha256, rate_limit, created_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return Err(st.error());
  st->Bind(1, name)
      .Bind(2, kb)
      .Bind(3, static_cast<int64_t>(role))
      .Bind(4, Sha256Hex(out.secret))
      .Bind(5, rate_limit)
      .Bind(6, out.key.created_at);
  ASKIO_RETURN_IF_ERROR(st->Run());
  out.key.id = db_.LastInsertId();
  return out;
}

Result<std::vector<ApiKey>> ServerStore::ListKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(std::string("SELECT ") + kKeyColumns +
                        " FROM api_keys WHERE revoked_at IS NULL ORDER BY id");
  if (!st) return Err(st.error());
  std::vector<ApiKey> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back(KeyFromRow(*st));
  }
  return out;
}

Status ServerStore::RevokeKey(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  if (!st) return st.error();
  st->Bind(1, id).Bind(2, NowIso8601());
  ASKIO_RETURN_IF_ERROR(st->Run());
  if (sqlite3_changes(db_.raw()) == 0)
    return Status::NotFound("no live key with id " + std::to_string(id));
  return Status::Ok();
}

Result<std::optional<ApiKey>> ServerStore::FindKey(const std::string& secret) {
  // Looked up by hash: the secret itself is never stored or compared.
  const std::string hash = Sha256Hex(secret);
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(std::string("SELECT ") + kKeyColumns +
                        " FROM api_keys WHERE secret_sha256 = ?1 AND revoked_at IS NULL");
  if (!st) return Err(st.error());
  st->Bind(1, hash);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<ApiKey>();
  ApiKey key = KeyFromRow(*st);
  st->Reset();
  // Last use to the minute: enough to spot a dead key, and one write a
  // minute per key rather than one per request.
  const std::string now = NowIso8601();
  if (key.last_used_at.substr(0, 16) != now.substr(0, 16)) {
    auto up = db_.Prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1");
    if (up) {
      up->Bind(1, key.id).Bind(2, now);
      (void)up->Run();  // best effort
    }
    key.last_used_at = now;
  }
  return std::optional<ApiKey>(std::move(key));
}

Result<bool> ServerStore::AnyKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare("SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1");
  if (!st) return Err(st.error());
  auto row = st->Step();
  if (!row) return Err(row.error());
  return *row;
}

Result<Conversation> ServerStore::StartConversation(const std::string& kb, int64_t key_id,
                                                    const std::string& title) {
  Conversation c;
  c.id = "c_" + RandomHex(8);
  c.kb = kb;
  c.key_id = key_id;
  c.title = title;
  c.created_at = c.updated_at = NowIso8601();
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(
      "INSERT INTO conversations(id, kb, key_id, title, created_at, updated_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?5)");
  if (!st) return Err(st.error());
  st->Bind(1, c.id).Bind(2, kb).Bind(3, key_id).Bind(4, title).Bind(5, c.created_at);
  ASKIO_RETURN_IF_ERROR(st->Run());
  return c;
}

Result<std::optional<Conversation>> ServerStore::GetConversation(const std::string& kb,
                                                                 int64_t key_id,
                                                                 const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(std::string("SELECT ") + kConversationColumns +
                        " FROM conversations c WHERE c.id = ?1 AND c.kb = ?2 AND c.key_id = ?3");
  if (!st) return Err(st.error());
  st->Bind(1, id).Bind(2, kb).Bind(3, key_id);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return std::optional<Conversation>();
  return std::optional<Conversation>(ConversationFromRow(*st));
}

Result<std::vector<Conversation>> ServerStore::ListConversations(const std::string& kb,
                                                                 int64_t key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(std::string("SELECT ") + kConversationColumns +
                        " FROM conversations c WHERE c.kb = ?1 AND c.key_id = ?2 "
                        "ORDER BY c.updated_at DESC, c.rowid DESC LIMIT 200");
  if (!st) return Err(st.error());
  st->Bind(1, kb).Bind(2, key_id);
  std::vector<Conversation> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    out.push_back(ConversationFromRow(*st));
  }
  return out;
}

Result<std::vector<Message>> ServerStore::Messages(const std::string& conversation_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(
      "SELECT m.id, m.role, m.content, m.citations, m.found, m.created_at, "
      "(SELECT f.rating FROM feedback f WHERE f.message_id = m.id ORDER BY f.id DESC LIMIT 1) "
      "FROM messages m WHERE m.conversation_id = ?1 ORDER BY m.seq");
  if (!st) return Err(st.error());
  st->Bind(1, conversation_id);
  std::vector<Message> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    Message m;
    m.id = st->Text(0);
    m.conversation_id = conversation_id;
    m.role = st->Text(1);
    m.content = st->Text(2);
    m.citations_json = st->Text(3);
    m.found = st->Int(4) != 0;
    m.created_at = st->Text(5);
    m.feedback = st->IsNull(6) ? "" : st->Text(6);
    out.push_back(std::move(m));
  }
  return out;
}

Status ServerStore::DeleteConversation(const std::string& kb, int64_t key_id,
                                       const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare("DELETE FROM conversations WHERE id = ?1 AND kb = ?2 AND key_id = ?3");
  if (!st) return st.error();
  st->Bind(1, id).Bind(2, kb).Bind(3, key_id);
  ASKIO_RETURN_IF_ERROR(st->Run());
  if (sqlite3_changes(db_.raw()) == 0) return Status::NotFound("no conversation " + id);
  return Status::Ok();
}

Result<Message> ServerStore::AddMessage(const std::string& conversation_id, const std::string& role,
                                        const std::string& content,
                                        const std::string& citations_json, bool found,
                                        const std::string& id) {
  Message m;
  m.id = id.empty() ? "m_" + RandomHex(8) : id;
  m.conversation_id = conversation_id;
  m.role = role;
  m.content = content;
  m.citations_json = citations_json;
  m.found = found;
  m.created_at = NowIso8601();
  std::lock_guard<std::mutex> lock(mu_);
  ASKIO_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  auto st = db_.Prepare(
      "INSERT INTO messages(id, conversation_id, seq, role, content, citations, found, created_at) "
      "VALUES(?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?2), "
      "?3, ?4, ?5, ?6, ?7)");
  Status s = st ? Status::Ok() : st.error();
  if (s.ok()) {
    st->Bind(1, m.id).Bind(2, conversation_id).Bind(3, role).Bind(4, content);
    st->Bind(5, citations_json).Bind(6, static_cast<int64_t>(found)).Bind(7, m.created_at);
    s = st->Run();
  }
  if (s.ok()) {
    auto up = db_.Prepare("UPDATE conversations SET updated_at = ?2 WHERE id = ?1");
    s = up ? up->Bind(1, conversation_id).Bind(2, m.created_at).Run() : up.error();
  }
  if (!s.ok()) {
    (void)db_.Exec("ROLLBACK");
    return Err(s);
  }
  ASKIO_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  return m;
}

Status ServerStore::DeleteKbData(const std::string& kb) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare("DELETE FROM conversations WHERE kb = ?1");
  if (!st) return st.error();
  ASKIO_RETURN_IF_ERROR(st->Bind(1, kb).Run());
  auto fb = db_.Prepare("DELETE FROM feedback WHERE kb = ?1");
  if (!fb) return fb.error();
  return fb->Bind(1, kb).Run();
}

Result<int64_t> ServerStore::AddFeedback(const std::string& kb, int64_t key_id,
                                         const std::string& message_id, const std::string& rating,
                                         const std::string& comment) {
  if (rating != "up" && rating != "down")
    return Err(Status::InvalidArgument("rating must be \"up\" or \"down\""));
  std::lock_guard<std::mutex> lock(mu_);
  // The answer and the question before it, as they were shown.
  auto st = db_.Prepare(
      "SELECT m.content, m.seq, m.conversation_id FROM messages m "
      "JOIN conversations c ON c.id = m.conversation_id "
      "WHERE m.id = ?1 AND m.role = 'assistant' AND c.kb = ?2 AND c.key_id = ?3");
  if (!st) return Err(st.error());
  st->Bind(1, message_id).Bind(2, kb).Bind(3, key_id);
  auto row = st->Step();
  if (!row) return Err(row.error());
  if (!*row) return Err(Status::NotFound("no answer with id " + message_id));
  const std::string answer = st->Text(0);
  const int64_t seq = st->Int(1);
  const std::string conversation = st->Text(2);
  st->Reset();
  std::string question;
  auto q = db_.Prepare(
      "SELECT content FROM messages WHERE conversation_id = ?1 AND seq < ?2 AND role = 'user' "
      "ORDER BY seq DESC LIMIT 1");
  if (!q) return Err(q.error());
  q->Bind(1, conversation).Bind(2, seq);
  auto qrow = q->Step();
  if (!qrow) return Err(qrow.error());
  if (*qrow) question = q->Text(0);
  q->Reset();
  auto ins = db_.Prepare(
      "INSERT INTO feedback(kb, message_id, rating, comment, question, answer, created_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!ins) return Err(ins.error());
  ins->Bind(1, kb).Bind(2, message_id).Bind(3, rating).Bind(4, comment).Bind(5, question);
  ins->Bind(6, answer).Bind(7, NowIso8601());
  ASKIO_RETURN_IF_ERROR(ins->Run());
  return db_.LastInsertId();
}

Result<std::vector<Feedback>> ServerStore::ListFeedback(const std::string& kb) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.Prepare(
      "SELECT id, message_id, rating, comment, question, answer, created_at FROM feedback "
      "WHERE kb = ?1 ORDER BY id DESC LIMIT 1000");
  if (!st) return Err(st.error());
  st->Bind(1, kb);
  std::vector<Feedback> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Err(row.error());
    if (!*row) break;
    Feedback f;
    f.id = st->Int(0);
    f.kb = kb;
    f.message_id = st->Text(1);
    f.rating = st->Text(2);
    f.comment = st->Text(3);
    f.question = st->Text(4);
    f.answer = st->Text(5);
    f.created_at = st->Text(6);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace askio::server
