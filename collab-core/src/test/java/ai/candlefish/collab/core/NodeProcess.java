package ai.candlefish.collab.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node scripts of {@code collab-core/src/test/js} for the interop tests: finds {@code node} on the
 * PATH, checks that the build installed the pinned npm packages there (exec-maven-plugin runs {@code npm ci}
 * in generate-test-resources), and runs a script with a time limit or starts a long-lived one.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class NodeProcess {
  private NodeProcess() {}

  /** What a finished script left behind. */
  record Result(int exitCode, String stdout, String stderr) {}

  /** The folder of the Node scripts, whether the tests run from collab-core (Maven) or the repository root. */
  static Path jsDir() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    for (Path candidate : List.of(Path.of(basedir, "src/test/js"), Path.of(basedir, "collab-core/src/test/js"))) {
      if (Files.isRegularFile(candidate.resolve("package.json"))) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException("cannot find collab-core/src/test/js from " + basedir);
  }

  /** The node executable found on the PATH. */
  static Path node() {
    boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, windows ? "node.exe" : "node");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("node is not on the PATH; the Yjs interop tests need Node 20+");
  }

  /**
   * Runs {@code node script args...} in the scripts' folder and waits at most timeout for it.
   *
   * @throws IllegalStateException if it does not finish in time (it is then killed)
   */
  static Result run(String script, Duration timeout, String... args) {
    Process process = start(script, args);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread outPump = pump(process.getInputStream(), out, "node-stdout");
    Thread errPump = pump(process.getErrorStream(), err, "node-stderr");
    try {
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("node " + script + " did not finish within " + timeout);
      }
      outPump.join(timeout.toMillis());
      errPump.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running node " + script, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Starts {@code node script args...} in the scripts' folder; the caller owns the process. */
  static Process start(String script, String... args) {
    Path dir = jsDir();
    if (!Files.isDirectory(dir.resolve("node_modules/yjs"))) {
      throw new IllegalStateException("yjs is not installed in " + dir
          + "; run ./mvnw -pl collab-core generate-test-resources (or npm ci there)");
    }
    List<String> command = new ArrayList<>();
    command.add(node().toString());
    command.add(script);
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).directory(dir.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream sink, String name) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(sink);
      } catch (IOException ignored) {
        // the process went away; what was read so far is all there is
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
