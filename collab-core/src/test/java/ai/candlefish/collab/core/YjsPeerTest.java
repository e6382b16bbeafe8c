package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The differential tests' Yjs peer and its Java plumbing, checked against the committed Yjs fixtures. */
@ExtendWith(YjsPeerExtension.class)
class YjsPeerTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void version_isThePinnedYjs() {
    assertThat(peer.version()).isEqualTo("13.6.33");
  }

  @Test
  void request_rejectedByYjs_throwsAndThePeerCarriesOn() {
    peer.newDoc("bad", 1, true);

    assertThatThrownBy(() -> peer.apply("bad", Map.of("op", "arrayDelete", "name", "a", "index", 5, "len", 1)))
        .isInstanceOf(YjsPeer.PeerException.class)
        .hasMessageContaining("arrayDelete");
    assertThatThrownBy(() -> peer.applyUpdate("bad", new byte[] {1, 2, 3}))
        .isInstanceOf(YjsPeer.PeerException.class);
    assertThatThrownBy(() -> peer.updates("no-such-doc"))
        .isInstanceOf(YjsPeer.PeerException.class);
    assertThat(peer.hasPending("bad")).isFalse();
    peer.drop("bad");
  }

  @Test
  void apply_eventFixtureScripts_emitTheCommittedEvents() throws IOException {
    Path dir = NodeProcess.jsDir().resolve("../resources/fixtures/yjs/events").normalize();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      Map<String, Object> fixture = YjsInterop.asMap(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
      String id = file.getFileName().toString();
      peer.newDoc(id, ((Number) fixture.get("clientId")).longValue(), Boolean.TRUE.equals(fixture.get("gc")));
      for (Object s : (List<?>) fixture.get("steps")) {
        Map<String, Object> step = YjsInterop.asMap(s);
        // through Java values and back, as the differential test sends them
        Map<String, Object> op = YjsInterop.asMap(YjsInterop.toTagged(YjsInterop.toJava(step.get("op"))));

        peer.apply(id, op);

        assertThat(peer.updates(id).stream().map(YjsInterop::base64).toList())
            .as("%s: events of %s", id, Json.stringify(op)).isEqualTo(step.get("events"));
      }
      @SuppressWarnings("unchecked")
      Map<String, String> roots = (Map<String, String>) (Map<?, ?>) YjsInterop.asMap(fixture.get("roots"));
      Map<String, Object> snapshot = peer.snapshot(id, roots);
      for (String root : roots.keySet()) {
        Object expected = YjsInterop.toJava(YjsInterop.asMap(fixture.get("values")).get(root));
        Object actual = YjsInterop.toJava(YjsInterop.asMap(snapshot.get("values")).get(root));
        assertThat(YjsInterop.difference(id + "." + root, expected, actual)).isNull();
      }
      assertThat(YjsInterop.base64(peer.encodeStateAsUpdate(id, null))).as("%s: state", id).isEqualTo(fixture.get("update"));
      peer.drop(id);
    }
  }

  @Test
  void mergeUpdatesAndDiffUpdate_roundTripThroughYjs() {
    peer.newDoc("m1", 1, true);
    peer.apply("m1", Map.of("op", "insertText", "name", "t", "index", 0, "text", "ab"));
    peer.apply("m1", Map.of("op", "insertText", "name", "t", "index", 2, "text", "cd"));
    List<byte[]> updates = peer.updates("m1");
    byte[] state = peer.encodeStateAsUpdate("m1", null);

    peer.newDoc("merged", 4, true);
    peer.applyUpdate("merged", peer.mergeUpdates(updates));
    assertThat(peer.encodeStateAsUpdate("merged", null)).isEqualTo(state);
    byte[] firstSv = encodedStateVectorOf(updates.get(0));
    peer.newDoc("m2", 2, true);
    peer.applyUpdate("m2", peer.diffUpdate(state, firstSv));
    assertThat(peer.hasPending("m2")).as("the tail without its head is pending").isTrue();
    peer.applyUpdate("m2", updates.get(0));
    assertThat(peer.hasPending("m2")).isFalse();
    assertThat(peer.encodeStateAsUpdate("m2", null)).isEqualTo(state);
    peer.drop("m1");
    peer.drop("m2");
    peer.drop("merged");
  }

  private static byte[] encodedStateVectorOf(byte[] update) {
    peer.newDoc("sv", 3, true);
    peer.applyUpdate("sv", update);
    byte[] sv = peer.encodeStateVector("sv");
    peer.drop("sv");
    return sv;
  }
}
