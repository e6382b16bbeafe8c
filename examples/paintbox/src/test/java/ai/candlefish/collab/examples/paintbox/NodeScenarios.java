package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What one run of a browser test's Node script ({@code src/test/js}) showed: the script runs its scenarios in one
 * Chromium and prints a JSON line for each, {@code {"<key>": <name>, "ok": true|false, "error": ..., ...}}, which the
 * tests read by name. Not thread-safe; read by one test class.
 */
final class NodeScenarios {
  private final String script;
  private final Map<String, JsonNode> results = new HashMap<>();
  private final String output;

  private NodeScenarios(String script, String key, String output) {
    this.script = script;
    this.output = output;
    ObjectMapper json = new ObjectMapper();
    for (String line : output.strip().split("\n")) {
      if (line.startsWith("{\"" + key + "\":")) {
        JsonNode result = json.readTree(line);
        results.put(result.get(key).asText(), result);
      }
    }
  }

  /**
   * Runs {@code node <script> <args>...} in {@code src/test/js} with {@code environment} added, until it ends.
   *
   * @param key the field of each result line that names its scenario
   */
  static NodeScenarios run(String script, String key, List<String> args, Map<String, String> environment)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Path.of(System.getProperty("node.js.dir", "src/test/js")).toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(environment);
    Process node = builder.start();
    try {
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node %s ends", script).isTrue();
      return new NodeScenarios(script, key, output);
    } finally {
      node.destroyForcibly();
    }
  }

  /** What scenario {@code name}'s run showed; fails with its error (and the script's output) if it failed. */
  JsonNode passed(String name) {
    JsonNode result = results.get(name);
    assertThat(result).as("%s printed no result for %s; its output:%n%s", script, name, output).isNotNull();
    assertThat(result.get("ok").asBoolean()).as("%s: %s", name, result.path("error").asText()).isTrue();
    return result;
  }
}
