// Counters, gauges and latency histograms, rendered in Prometheus' text
// format for GET /metrics. Labelled series are created on first use; every
// operation takes one short lock, which is far below a request's cost.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace askio::server {

class Metrics {
 public:
  // A finished HTTP request: counted by route, method and status, and its
  // latency added to the route's histogram.
  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);
  void Add(const std::string& name, const std::string& labels, double value = 1);
  void Set(const std::string& name, const std::string& labels, double value);
  double Get(const std::string& name, const std::string& labels = "") const;

  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per kLatencyBuckets bound
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  // name -> labels ("a=\"x\",b=\"y\"") -> value
  std::map<std::string, std::map<std::string, double>> counters_, gauges_;
  std::map<std::string, Histogram> latency_;  // by route
};

}  // namespace askio::server
