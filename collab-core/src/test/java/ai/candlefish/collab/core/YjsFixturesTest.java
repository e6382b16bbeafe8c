package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the bytes that real Yjs 13.6.33 produced ({@code src/test/resources/fixtures/yjs}, written by
 * {@code src/test/js/generate-fixtures.mjs}; see the README there) and demands the same content and the same
 * bytes back. Needs no Node: the fixtures are committed.
 *
 * <p>Document fixtures ({@code <name>.bin} + {@code <name>.json}) cover every struct and content kind, every
 * type ref, concurrent edits by several clients, deletions with gc on and off, map overwrites and deep
 * nesting. Update-event fixtures ({@code events/<name>.json}) pin the exact update each local operation of a
 * fixed client emits.
 */
class YjsFixturesTest {
  static final Path FIXTURES = NodeProcess.jsDir().resolve("../resources/fixtures/yjs").normalize();

  /** A document fixture: the update Yjs encoded and what Yjs said about it. */
  record DocFixture(String name, byte[] bin, Map<String, Object> json) {
    boolean gc() {
      return Boolean.TRUE.equals(json.get("gc"));
    }

    byte[] update() {
      return YjsInterop.fromBase64(json.get("update"));
    }

    List<byte[]> updates() {
      List<byte[]> out = new ArrayList<>();
      for (Object u : (List<?>) json.get("updates")) {
        out.add(YjsInterop.fromBase64(u));
      }
      return out;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** An update-event fixture: a script of local operations and the update events Yjs emitted for each. */
  record EventFixture(String name, Map<String, Object> json) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<DocFixture> documents() {
    return list(FIXTURES, ".json").stream().map(json -> {
      String name = json.getFileName().toString().replaceFirst("\\.json$", "");
      return new DocFixture(name, read(FIXTURES.resolve(name + ".bin")), parse(json));
    });
  }

  static Stream<EventFixture> eventScripts() {
    return list(FIXTURES.resolve("events"), ".json").stream()
        .map(json -> new EventFixture(json.getFileName().toString().replaceFirst("\\.json$", ""), parse(json)));
  }

  @Test
  void fixtures_arePresent() {
    assertThat(documents()).as("document fixtures in %s", FIXTURES).hasSizeGreaterThanOrEqualTo(20);
    assertThat(eventScripts()).as("update-event fixtures in %s", FIXTURES.resolve("events")).hasSizeGreaterThanOrEqualTo(5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void applyUpdate_reproducesYjsContent(DocFixture f) {
    assertThat(f.bin()).as("%s.bin equals the update in %s.json", f.name(), f.name()).isEqualTo(f.update());
    Doc doc = Doc.newBuilder().gc(f.gc()).build();

    doc.applyUpdate(f.bin());

    assertThat(doc.hasPendingUpdates()).as("pending after applying %s", f.name()).isFalse();
    assertThat(rootDifferences(doc, f.json())).as("content of %s", f.name()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void encodeStateAsUpdate_afterApplyUpdate_isByteIdenticalToYjs(DocFixture f) {
    Doc doc = Doc.newBuilder().gc(f.gc()).build();

    doc.applyUpdate(f.bin());

    assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("encodeStateAsUpdate of %s", f.name())
        .isEqualTo(YjsInterop.base64(f.bin()));
    assertThat(YjsInterop.base64(doc.encodeStateVector())).as("encodeStateVector of %s", f.name())
        .isEqualTo(f.json().get("stateVector"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void applyUpdate_perTransactionInOrder_reproducesYjsBytes(DocFixture f) {
    assertReplay(f, f.updates(), "in order");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void applyUpdate_perTransactionInReverseOrder_reproducesYjsBytes(DocFixture f) {
    List<byte[]> reversed = f.updates();
    Collections.reverse(reversed);
    assertReplay(f, reversed, "in reverse order");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventScripts")
  void localOperations_emitYjsUpdateEvents(EventFixture f) {
    Map<String, Object> json = f.json();
    List<Map<String, Object>> steps = new ArrayList<>();
    for (Object s : (List<?>) json.get("steps")) {
      steps.add(YjsInterop.asMap(s));
    }
    Assumptions.assumeTrue(steps.stream().allMatch(s -> YjsInterop.supported(YjsInterop.asMap(s.get("op")))),
        f.name() + " uses operations that the public Java API cannot perform yet (building XML nodes)");
    long clientId = ((Number) json.get("clientId")).longValue();
    Doc doc = Doc.newBuilder().clientId(clientId).gc(Boolean.TRUE.equals(json.get("gc"))).build();
    List<String> events = new ArrayList<>();
    Subscription subscription = doc.onUpdate((bytes, origin, txn) -> events.add(YjsInterop.base64(bytes)));
    try {
      for (int i = 0; i < steps.size(); i++) {
        Map<String, Object> step = steps.get(i);
        events.clear();

        YjsInterop.apply(doc, YjsInterop.asMap(step.get("op")));

        assertThat(events).as("%s step %d: update events of %s", f.name(), i, Json.stringify(step.get("op")))
            .isEqualTo(step.get("events"));
      }
    } finally {
      subscription.close();
    }
    assertThat(rootDifferences(doc, json)).as("content after %s", f.name()).isEmpty();
    assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("encodeStateAsUpdate after %s", f.name())
        .isEqualTo(json.get("update"));
    assertThat(YjsInterop.base64(doc.encodeStateVector())).as("encodeStateVector after %s", f.name())
        .isEqualTo(json.get("stateVector"));
  }

  private static void assertReplay(DocFixture f, List<byte[]> updates, String how) {
    Doc doc = Doc.newBuilder().gc(f.gc()).build();

    for (byte[] update : updates) {
      doc.applyUpdate(update);
    }

    assertThat(doc.hasPendingUpdates()).as("pending after applying %s's updates %s", f.name(), how).isFalse();
    assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
        .as("encodeStateAsUpdate after applying %s's %d updates %s", f.name(), updates.size(), how)
        .isEqualTo(YjsInterop.base64(f.bin()));
    assertThat(rootDifferences(doc, f.json())).as("content after applying %s's updates %s", f.name(), how).isEmpty();
  }

  static List<String> rootDifferences(Doc doc, Map<String, Object> json) {
    return YjsInterop.rootDifferences(doc, YjsInterop.asMap(json.get("roots")), YjsInterop.asMap(json.get("values")),
        YjsInterop.asMap(json.get("deltas")));
  }

  private static List<Path> list(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static Map<String, Object> parse(Path file) {
    return YjsInterop.asMap(Json.parse(new String(read(file), StandardCharsets.UTF_8)));
  }
}
