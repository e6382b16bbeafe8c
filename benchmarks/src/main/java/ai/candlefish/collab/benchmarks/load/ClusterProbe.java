package ai.candlefish.collab.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a cluster run measures besides the clients' figures: the CPU time of all nodes together (from
 * {@code /proc/<pid>/stat}), of the database with its child processes (PostgreSQL runs one process per
 * connection), and Redis's own counters (INFO: bytes in and out of its network, its CPU time). Each is read before
 * and after the measured phase; the report gives the differences.
 */
final class ClusterProbe {
  /** The counters at one moment: CPU in nanoseconds (-1: not measured), Redis's bytes and CPU (null: none). */
  record Sample(long nodesCpuNanos, long databaseCpuNanos, RedisInfo redis) {}

  /** Redis's INFO counters: total_net_input_bytes, total_net_output_bytes, used_cpu_user + used_cpu_sys. */
  record RedisInfo(long inputBytes, long outputBytes, double cpuSeconds) {}

  private final List<Long> nodePids;
  private final long databasePid;
  private final String redisHost;
  private final int redisPort;
  private final long ticksPerSecond;

  ClusterProbe(LoadSettings settings) {
    this.nodePids = settings.nodePids();
    this.databasePid = settings.databasePid();
    if (settings.redis().isEmpty()) {
      redisHost = null;
      redisPort = 0;
    } else {
      int colon = settings.redis().lastIndexOf(':');
      redisHost = settings.redis().substring(0, colon);
      redisPort = Integer.parseInt(settings.redis().substring(colon + 1));
    }
    this.ticksPerSecond = ProcessProbe.clockTicks();
  }

  /** Whether there is anything to measure (else the run is not a cluster run). */
  boolean measures() {
    return !nodePids.isEmpty() || databasePid != 0 || redisHost != null;
  }

  Sample sample() {
    long nodes = -1;
    if (!nodePids.isEmpty()) {
      nodes = 0;
      for (long pid : nodePids) {
        nodes += ticks(pid, false);
      }
      nodes = toNanos(nodes);
    }
    long database = -1;
    if (databasePid != 0) {
      // The main process's own time and that of its children it has reaped, and the time of those still running.
      long ticks = ticks(databasePid, true);
      for (ProcessHandle child : ProcessHandle.of(databasePid).map(p -> p.descendants().toList())
          .orElse(List.of())) {
        ticks += ticks(child.pid(), false);
      }
      database = toNanos(ticks);
    }
    return new Sample(nodes, database, redisHost == null ? null : redisInfo());
  }

  private long toNanos(long ticks) {
    return ticks * TimeUnit.SECONDS.toNanos(1) / ticksPerSecond;
  }

  /** utime + stime of a process, with cutime + cstime if asked; 0 for a process that has ended meanwhile. */
  private static long ticks(long pid, boolean withReapedChildren) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
    }
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
    return withReapedChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
  }

  /** One INFO command over a plain socket (RESP: the reply is a bulk string of "name:value" lines). */
  private RedisInfo redisInfo() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(redisHost, redisPort), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("INFO\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> fields = new HashMap<>();
      for (String line : reply.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
      }
      return new RedisInfo(Long.parseLong(field(fields, "total_net_input_bytes")),
          Long.parseLong(field(fields, "total_net_output_bytes")),
          Double.parseDouble(field(fields, "used_cpu_user")) + Double.parseDouble(field(fields, "used_cpu_sys")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read INFO of Redis at " + redisHost + ":" + redisPort, e);
    }
  }

  private String field(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalStateException("Redis at " + redisHost + ":" + redisPort + " has no " + name + " in INFO");
    }
    return value;
  }
}
