package ai.candlefish.collab.benchmarks.load;

/**
 * The figures of a run against several server nodes ({@link LoadSettings#servers()}) that share documents through
 * Redis, in the measured phase. CPU in seconds and bytes: -1 when not measured.
 *
 * @param nodes how many server nodes the clients were spread over
 * @param crossNodeSamples receipts by a client of another node than the sender's
 * @param crossNodeP50Millis their relay latency (send to receipt), median
 * @param crossNodeP99Millis ... 99th percentile
 * @param crossNodeMaxMillis ... maximum
 * @param deliveries receipts in the measured phase (all nodes; what the per-delivery figures divide by)
 * @param nodesCpuSeconds the CPU time of all node processes together
 * @param databaseCpuSeconds the database's, with its child processes
 * @param redisCpuSeconds Redis's own (INFO used_cpu_user + used_cpu_sys)
 * @param redisInputBytes bytes Redis received (INFO total_net_input_bytes)
 * @param redisOutputBytes bytes Redis sent (INFO total_net_output_bytes)
 */
public record ClusterFigures(int nodes, long crossNodeSamples, double crossNodeP50Millis, double crossNodeP99Millis,
    double crossNodeMaxMillis, long deliveries, double nodesCpuSeconds, double databaseCpuSeconds,
    double redisCpuSeconds, long redisInputBytes, long redisOutputBytes) {

  /** The nodes' CPU time per delivered update, in microseconds; -1 if not measured. */
  public double nodesCpuMicrosPerDelivery() {
    return perDelivery(nodesCpuSeconds * 1e6);
  }

  /** The database's CPU time per delivered update, in microseconds; -1 if not measured. */
  public double databaseCpuMicrosPerDelivery() {
    return perDelivery(databaseCpuSeconds * 1e6);
  }

  /** Redis's CPU time per delivered update, in microseconds; -1 if not measured. */
  public double redisCpuMicrosPerDelivery() {
    return perDelivery(redisCpuSeconds * 1e6);
  }

  /** Bytes through Redis (in and out) per delivered update; -1 if not measured. */
  public double redisBytesPerDelivery() {
    return redisInputBytes < 0 ? -1 : perDelivery(redisInputBytes + redisOutputBytes);
  }

  private double perDelivery(double total) {
    return total < 0 || deliveries == 0 ? -1 : total / deliveries;
  }
}
