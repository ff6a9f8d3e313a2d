// What the server keeps beside the knowledge bases, in `server.db` in the data
// directory: API keys (hashed), conversations with their messages, and
// feedback on answers. One SQLite connection behind a mutex: these are small
// writes, a few per request at most.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "askio/status.h"
#include "store/sqlite.h"

namespace askio::server {

enum class Role { kReader = 1, kEditor = 2, kAdmin = 3 };
const char* RoleName(Role r);
Result<Role> ParseRole(const std::string& name);

struct ApiKey {
  int64_t id = 0;
  std::string name;
  std::string kb;  // a KB name, or "*" for all
  Role role = Role::kReader;
  double rate_limit = 0;  // requests per second; 0 = the server's default
  std::string created_at, last_used_at;
};

// A key as the API and `askio keys list --json` show it (never the secret).
nlohmann::json ApiKeyJson(const ApiKey& k);

struct NewKey {
  ApiKey key;
  std::string secret;  // "askio_..." — shown once, stored only as a hash
};

struct Message {
  std::string id, conversation_id;
  std::string role;  // "user" | "assistant"
  std::string content;
  std::string citations_json;  // "[]" for user messages
  bool found = false;
  std::string feedback;  // "up" | "down" | ""
  std::string created_at;
};

struct Conversation {
  std::string id, kb, title;
  int64_t key_id = 0;  // who started it (0 in open mode)
  int64_t messages = 0;
  std::string created_at, updated_at;
};

struct Feedback {
  int64_t id = 0;
  std::string kb, message_id, rating, comment, question, answer, created_at;
};

class ServerStore {
 public:
  static Result<std::unique_ptr<ServerStore>> Open(const std::string& data_dir);

  // Keys.
  Result<NewKey> CreateKey(const std::string& kb, Role role, const std::string& name,
                           double rate_limit = 0);
  Result<std::vector<ApiKey>> ListKeys();
  Status RevokeKey(int64_t id);
  // The live key with this secret, or nullopt (unknown or revoked).
  Result<std::optional<ApiKey>> FindKey(const std::string& secret);
  Result<bool> AnyKeys();

  // Conversations. `key_id` scopes them: a key sees only its own.
  Result<Conversation> StartConversation(const std::string& kb, int64_t key_id,
                                         const std::string& title);
  Result<std::optional<Conversation>> GetConversation(const std::string& kb, int64_t key_id,
                                                      const std::string& id);
  Result<std::vector<Conversation>> ListConversations(const std::string& kb, int64_t key_id);
  Result<std::vector<Message>> Messages(const std::string& conversation_id);
  Status DeleteConversation(const std::string& kb, int64_t key_id, const std::string& id);
  // `id` empty: a new one. (A streamed answer announces its id before the
  // message is stored.)
  Result<Message> AddMessage(const std::string& conversation_id, const std::string& role,
                             const std::string& content, const std::string& citations_json,
                             bool found, const std::string& id = "");
  Status DeleteKbData(const std::string& kb);

  // Feedback on an assistant message of this KB (and the key's own
  // conversation); stores the question and answer as they were.
  Result<int64_t> AddFeedback(const std::string& kb, int64_t key_id, const std::string& message_id,
                              const std::string& rating, const std::string& comment);
  Result<std::vector<Feedback>> ListFeedback(const std::string& kb);

 private:
  explicit ServerStore(store::Connection db) : db_(std::move(db)) {}
  std::mutex mu_;
  store::Connection db_;
};

// SHA-256 of `data` as 64 hex digits.
std::string Sha256Hex(const std::string& data);
// `bytes` random bytes from the kernel, as hex.
std::string RandomHex(size_t bytes);

}  // namespace askio::server
