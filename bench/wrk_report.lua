-- Prints one machine-readable line with wrk's figures (p95 is not in wrk's own --latency output).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\":%d,\"duration_us\":%d,\"p50_us\":%d,\"p95_us\":%d,\"p99_us\":%d," ..
    "\"mean_us\":%.1f,\"non2xx\":%d,\"socket_errors\":%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.status, e.connect + e.read + e.write + e.timeout))
end
