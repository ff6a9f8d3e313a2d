#include "server/metrics.h"

#include <cstdio>

namespace askio::server {
namespace {

// Seconds: 1 ms to 10 s, dense where search and answers land.
constexpr double kLatencyBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                      0.1,   0.25,   0.5,   1,    2.5,   10};

const char* HelpFor(const std::string& name) {
  if (name == "askio_http_requests_total") return "HTTP requests by route, method and status.";
  if (name == "askio_ingest_bytes_total") return "Bytes of files ingested by jobs.";
  if (name == "askio_ingest_documents_total") return "Documents added or replaced by jobs.";
  if (name == "askio_ingest_chunks_total") return "Chunks stored by jobs.";
  if (name == "askio_ingest_seconds_total") return "Wall time spent in ingestion jobs.";
  if (name == "askio_jobs") return "Ingestion jobs by state.";
  if (name == "askio_query_inflight") return "Searches and answers being computed.";
  if (name == "askio_query_queue_depth") return "Searches and answers waiting for a slot.";
  if (name == "askio_rejected_total") return "Requests refused by reason (rate limit, queue full).";
  if (name == "askio_sse_streams_active") return "Open server-sent-event streams.";
  if (name == "askio_streams_cancelled_total") return "Streams whose client went away mid-way.";
  return "askio metric.";
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_["askio_http_requests_total"]["route=\"" + route + "\",method=\"" + method +
                                         "\",status=\"" + std::to_string(status) + "\""] += 1;
  Histogram& h = latency_[route];
  if (h.buckets.empty()) h.buckets.assign(std::size(kLatencyBuckets), 0);
  for (size_t i = 0; i < std::size(kLatencyBuckets); ++i)
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::Add(const std::string& name, const std::string& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (name.ends_with("_total")) {
    counters_[name][labels] += value;
  } else {
    gauges_[name][labels] += value;
  }
}

void Metrics::Set(const std::string& name, const std::string& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name][labels] = value;
}

double Metrics::Get(const std::string& name, const std::string& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto* family : {&counters_, &gauges_}) {
    auto it = family->find(name);
    if (it == family->end()) continue;
    auto v = it->second.find(labels);
    if (v != it->second.end()) return v->second;
  }
  return 0;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  auto family = [&](const std::map<std::string, std::map<std::string, double>>& series,
                    const char* type) {
    for (const auto& [name, values] : series) {
      out += "# HELP " + name + " " + HelpFor(name) + "\n# TYPE " + name + " " + type + "\n";
      for (const auto& [labels, v] : values)
        out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + Number(v) + "\n";
    }
  };
  family(counters_, "counter");
  family(gauges_, "gauge");
  if (!latency_.empty()) {
    const std::string name = "askio_http_request_duration_seconds";
    out += "# HELP " + name + " Request latency by route.\n# TYPE " + name + " histogram\n";
    for (const auto& [route, h] : latency_) {
      const std::string l = "route=\"" + route + "\"";
      for (size_t i = 0; i < h.buckets.size(); ++i)
        out += name + "_bucket{" + l + ",le=\"" + Number(kLatencyBuckets[i]) + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      out += name + "_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += name + "_sum{" + l + "} " + Number(h.sum) + "\n";
      out += name + "_count{" + l + "} " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace askio::server
