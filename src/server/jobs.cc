#include "server/jobs.h"

#include <algorithm>

#include "common/clock.h"

namespace askio::server {

JobManager::JobManager(size_t workers, Metrics& metrics) : metrics_(metrics) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i)
    workers_.emplace_back([this] { WorkerLoop(); });
}

JobManager::~JobManager() { Stop(); }

void JobManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  work_ready_.notify_all();
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

Job JobManager::Submit(const std::string& kb, const std::string& kind,
                       std::vector<std::string> names, Work work) {
  std::lock_guard<std::mutex> lock(mu_);
  Job job;
  job.id = next_id_++;
  job.kb = kb;
  job.kind = kind;
  job.names = std::move(names);
  job.created_at = NowIso8601();
  job.version = 1;
  jobs_[job.id] = job;
  queue_.push_back({job.id, std::move(work)});
  // Forget the oldest finished jobs beyond what anyone will look at.
  size_t finished = 0;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it)
    if (it->second.finished()) ++finished;
  for (auto it = jobs_.begin(); finished > kFinishedKept && it != jobs_.end();) {
    if (it->second.finished()) {
      it = jobs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
  PublishCounts();
  work_ready_.notify_one();
  return job;
}

std::optional<Job> JobManager::Get(const std::string& kb, int64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.kb != kb) return std::nullopt;
  return it->second;
}

std::vector<Job> JobManager::List(const std::string& kb) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Job> out;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it)
    if (it->second.kb == kb) out.push_back(it->second);
  return out;
}

std::optional<Job> JobManager::WaitForChange(const std::string& kb, int64_t id, uint64_t seen,
                                             std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  auto current = [&]() -> const Job* {
    auto it = jobs_.find(id);
    return it == jobs_.end() || it->second.kb != kb ? nullptr : &it->second;
  };
  changed_.wait_for(lock, timeout, [&] {
    const Job* j = current();
    return stopping_ || !j || j->version > seen;
  });
  const Job* j = current();
  if (!j) return std::nullopt;
  return *j;
}

Status JobManager::Forget(const std::string& kb, int64_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.kb != kb)
      return Status::NotFound("no job " + std::to_string(id));
    if (!it->second.finished())
      return Status::InvalidArgument("job " + std::to_string(id) + " is still " +
                                     it->second.status);
    jobs_.erase(it);
  }
  changed_.notify_all();
  return Status::Ok();
}

void JobManager::Update(int64_t id, const std::function<void(Job&)>& change) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    change(it->second);
    ++it->second.version;
    PublishCounts();
  }
  changed_.notify_all();
}

void JobManager::PublishCounts() {
  std::map<std::string, int> counts{{"queued", 0}, {"running", 0}};
  for (const auto& [id, job] : jobs_)
    if (!job.finished()) ++counts[job.status];
  for (const auto& [state, n] : counts) metrics_.Set("askio_jobs", "state=\"" + state + "\"", n);
}

void JobManager::WorkerLoop() {
  for (;;) {
    Queued next;
    std::string kb;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // The oldest job whose KB is not already being written.
      auto runnable = [&] {
        return std::find_if(queue_.begin(), queue_.end(),
                            [&](const Queued& q) { return !kb_busy_[jobs_.at(q.id).kb]; });
      };
      work_ready_.wait(lock, [&] { return stopping_ || runnable() != queue_.end(); });
      if (stopping_) return;
      auto it = runnable();
      next = std::move(*it);
      queue_.erase(it);
      Job& job = jobs_.at(next.id);
      kb = job.kb;
      kb_busy_[kb] = true;
      job.status = "running";
      job.started_at = NowIso8601();
      ++job.version;
      PublishCounts();
    }
    changed_.notify_all();

    Stopwatch sw;
    auto report = next.work([this, id = next.id](const IngestProgress& p) {
      Update(id, [&](Job& j) { j.progress = p; });
    });
    metrics_.Add("askio_ingest_seconds_total", "", sw.Seconds());
    if (report) {
      metrics_.Add("askio_ingest_bytes_total", "", static_cast<double>(report->bytes));
      metrics_.Add("askio_ingest_documents_total", "",
                   static_cast<double>(report->added + report->replaced));
      metrics_.Add("askio_ingest_chunks_total", "", static_cast<double>(report->chunks));
    }
    Update(next.id, [&](Job& j) {
      j.finished_at = NowIso8601();
      if (!report) {
        j.status = "failed";
        j.error = report.error().message();
        return;
      }
      const bool all_failed =
          report->failed > 0 && report->failed == static_cast<int64_t>(report->files.size());
      j.status = all_failed ? "failed" : "succeeded";
      if (all_failed) j.error = report->files.front().error;
      j.progress.files_done = j.progress.files_total =
          std::max(j.progress.files_total, report->files.size());
      j.report = std::move(*report);
    });
    {
      std::lock_guard<std::mutex> lock(mu_);
      kb_busy_[kb] = false;
    }
    work_ready_.notify_all();
  }
}

}  // namespace askio::server
