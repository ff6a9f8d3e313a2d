// Ingestion jobs: uploads, URLs and re-ingests run on background workers so
// that a request returns as soon as its files are on disk, and queries never
// wait for parsing. At most one job per KB runs at a time (the engine has
// one writer per KB anyway); jobs of different KBs run side by side.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "server/metrics.h"

namespace askio::server {

struct Job {
  int64_t id = 0;
  std::string kb;
  std::string kind;                // "upload" | "url" | "reingest"
  std::string status = "queued";   // queued | running | succeeded | failed
  std::vector<std::string> names;  // what it ingests (file names or the URL)
  IngestProgress progress;
  std::optional<IngestReport> report;
  std::string error;
  std::string created_at, started_at, finished_at;
  uint64_t version = 0;  // bumped on every change, for change streams

  bool finished() const { return status == "succeeded" || status == "failed"; }
};

class JobManager {
 public:
  using Work = std::function<Result<IngestReport>(const KnowledgeBase::ProgressFn&)>;
  JobManager(size_t workers, Metrics& metrics);
  ~JobManager();  // finishes the running jobs, drops the queued ones

  Job Submit(const std::string& kb, const std::string& kind, std::vector<std::string> names,
             Work work);
  std::optional<Job> Get(const std::string& kb, int64_t id) const;
  std::vector<Job> List(const std::string& kb) const;  // newest first
  // Returns the job once its version exceeds `seen`, or as it is after
  // `timeout` (or when the manager stops).
  std::optional<Job> WaitForChange(const std::string& kb, int64_t id, uint64_t seen,
                                   std::chrono::milliseconds timeout) const;
  // Forgets a finished job (dismissing its failures from the document
  // list); a queued or running job cannot be forgotten.
  Status Forget(const std::string& kb, int64_t id);
  void Stop();

 private:
  struct Queued {
    int64_t id;
    Work work;
  };
  void WorkerLoop();
  void Update(int64_t id, const std::function<void(Job&)>& change);
  void PublishCounts();  // under mu_

  Metrics& metrics_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // any job changed (or stopping)
  std::condition_variable work_ready_;
  std::map<int64_t, Job> jobs_;
  std::deque<Queued> queue_;
  std::map<std::string, bool> kb_busy_;
  int64_t next_id_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  static constexpr size_t kFinishedKept = 200;  // per manager, oldest dropped first
};

}  // namespace askio::server
