package ai.candlefish.collab.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other processes of a run split over several ({@link LoadSettings#processes()}), seen from the measuring one:
 * each is a JVM with the measuring process's options and command line and {@code --process K}, started once the
 * server's idle memory is read; it connects its share of the clients and says {@code "HOLDER synced <connected>
 * <failed>"}, holds them until its standard input is closed, then checks its documents against the server and says
 * {@code "HOLDER done <unexpected closes> <protocol errors> <documents checked> <diverged> <first difference>"}
 * ({@link LoadGenerator#hold}). Their log goes to the measuring process's standard error.
 *
 * <p>Not thread-safe: the measuring process's main thread only.
 */
final class LoadHolders implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoadHolders.class);
  static final String SYNCED = "HOLDER synced";
  static final String DONE = "HOLDER done";

  /** How the other processes' clients connected. */
  record Synced(int connected, int failed) {}

  /** How the other processes' clients and documents fared. */
  record Done(long unexpectedCloses, long protocolErrors, int checked, int diverged, String first) {}

  private final List<Process> processes;
  private final List<BufferedReader> outputs = new ArrayList<>();

  private LoadHolders(List<Process> processes) {
    this.processes = processes;
    for (Process p : processes) {
      outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }
  }

  /** Starts processes 1 to {@code count} of a run whose command line is {@code arguments}; none for 0. */
  static LoadHolders start(int count, List<String> arguments) {
    if (count > 0 && arguments.isEmpty()) {
      throw new IllegalStateException("a run over several processes starts the others with its command line: "
          + "run it from the command line (LoadGenerator.main)");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
    command.addAll(arguments);
    List<Process> processes = new ArrayList<>();
    try {
      for (int k = 1; k <= count; k++) {
        List<String> own = new ArrayList<>(command);
        own.addAll(List.of("--process", Integer.toString(k)));
        processes.add(new ProcessBuilder(own).redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
    } catch (IOException e) {
      processes.forEach(Process::destroyForcibly);
      throw new UncheckedIOException("cannot start the run's other processes", e);
    }
    if (count > 0) {
      log.info("started {} other processes: {}", count, processes.stream().map(Process::pid).toList());
    }
    return new LoadHolders(processes);
  }

  /** Waits until every other process has connected its clients (each gives up on a client after a while). */
  Synced awaitSynced() {
    int connected = 0;
    int failed = 0;
    for (int k = 0; k < processes.size(); k++) {
      String[] words = line(k, SYNCED).split(" ");
      connected += Integer.parseInt(words[2]);
      failed += Integer.parseInt(words[3]);
    }
    return new Synced(connected, failed);
  }

  /** Tells every other process to end (it checks its documents first) and returns how they fared. */
  Done finish() {
    tellToEnd();
    long unexpectedCloses = 0;
    long protocolErrors = 0;
    int checked = 0;
    int diverged = 0;
    String first = "";
    for (int k = 0; k < processes.size(); k++) {
      String[] words = line(k, DONE).split(" ", 7);
      unexpectedCloses += Long.parseLong(words[2]);
      protocolErrors += Long.parseLong(words[3]);
      checked += Integer.parseInt(words[4]);
      diverged += Integer.parseInt(words[5]);
      if (first.isEmpty() && words.length > 6) {
        first = words[6];
      }
    }
    return new Done(unexpectedCloses, protocolErrors, checked, diverged, first);
  }

  /** The next line of process {@code k} that starts with {@code prefix}; other lines are logged. */
  private String line(int k, String prefix) {
    try {
      for (String line; (line = outputs.get(k).readLine()) != null; ) {
        if (line.startsWith(prefix + " ")) {
          return line;
        }
        log.info("process {}: {}", processes.get(k).pid(), line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("process " + processes.get(k).pid() + " ended before it said \"" + prefix
        + "\" (see its log above)");
  }

  /** Closes the other processes' standard input: each checks its documents, says how they fared, and ends. */
  private void tellToEnd() {
    for (Process p : processes) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        log.warn("process {}: cannot close its standard input: {}", p.pid(), e.toString());
      }
    }
  }

  /** Ends the other processes: told to (if a failed run did not), then forcibly after a minute. */
  @Override
  public void close() {
    tellToEnd();
    for (Process p : processes) {
      try {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
