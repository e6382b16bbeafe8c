package ai.candlefish.collab.awareness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Replays the awareness session of src/test/js/protocol-fixtures.mjs and compares every byte. */
class AwarenessTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  private static Map<String, byte[]> steps() throws IOException {
    try (InputStream in = AwarenessTest.class.getResourceAsStream("/fixtures/protocols/awareness.json")) {
      Map<?, ?> f = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Map<String, byte[]> out = new LinkedHashMap<>();
      for (Object s : (List<?>) f.get("steps")) {
        Map<?, ?> step = (Map<?, ?>) s;
        out.put((String) step.get("what"), Base64.getDecoder().decode((String) step.get("update")));
      }
      return out;
    }
  }

  @Test
  void session_matchesYProtocolsByteForByte() throws IOException {
    Map<String, byte[]> steps = steps();
    Awareness a = new Awareness(10, now::get);
    Awareness b = new Awareness(20, now::get);
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("user", Map.of("name", "Ann", "color", "#ff0000"));
    Map<String, Object> cursor = new LinkedHashMap<>();
    cursor.put("anchor", 3);
    cursor.put("head", 5);
    state.put("cursor", cursor);
    state.put("n", 1.5);
    state.put("2", "x");
    state.put("1", "y");
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("name", "Ann");
    user.put("color", "#ff0000");
    state.put("user", user);
    a.setLocalState(state);
    assertThat(a.encodeUpdate(List.of(10L))).isEqualTo(steps.get("a-initial"));
    b.applyUpdate(a.encodeUpdate(List.of(10L)), "net");
    b.setLocalStateField("user", Map.of("name", "Bob"));
    assertThat(b.encodeUpdate(List.of(20L))).isEqualTo(steps.get("b-field"));
    assertThat(b.encodeUpdate(List.of(20L, 10L))).isEqualTo(steps.get("b-all"));
    a.setLocalState(null);
    assertThat(a.encodeUpdate(List.of(10L))).isEqualTo(steps.get("a-offline"));
    b.applyUpdate(a.encodeUpdate(List.of(10L)), "net");
    assertThat(b.encodeUpdate(List.of(10L, 20L))).isEqualTo(steps.get("b-after-a-offline"));
    assertThat(b.states()).containsOnlyKeys(20L);
    assertThat(new Awareness(30, now::get).encodeUpdate(List.of(30L))).isEqualTo(steps.get("c-initial"));
  }

  @Test
  void applyUpdate_relaysRemoteJsonUnchanged() throws IOException {
    byte[] update = steps().get("a-initial");
    Awareness relay = new Awareness(99, now::get);
    relay.applyUpdate(update, "net");
    assertThat(relay.encodeUpdate(List.of(10L))).isEqualTo(update);
  }

  @Test
  void listeners_seeChangesAndRenewals() {
    Awareness a = new Awareness(1, now::get);
    List<AwarenessChange> changes = new ArrayList<>();
    List<AwarenessChange> updates = new ArrayList<>();
    a.onChange(changes::add);
    a.onUpdate(updates::add);
    a.setLocalState(Map.of("x", 1));
    a.setLocalState(Map.of("x", 1));
    assertThat(changes).hasSize(1);
    assertThat(updates).hasSize(2);
    assertThat(changes.get(0).updated()).containsExactly(1L);
  }

  @Test
  void checkTimeouts_removesOutdatedRemoteStatesAndRenewsLocal() {
    Awareness a = new Awareness(1, now::get);
    Awareness b = new Awareness(2, now::get);
    b.setLocalState(Map.of("name", "b")); // clock 1: the initial empty state (clock 0) is never news, as in y-protocols
    a.applyUpdate(b.encodeUpdate(), "net");
    assertThat(a.states()).containsKeys(1L, 2L);
    List<AwarenessChange> changes = new ArrayList<>();
    a.onChange(changes::add);
    now.addAndGet(Awareness.OUTDATED_TIMEOUT_MS);
    a.checkTimeouts();
    assertThat(a.states()).containsOnlyKeys(1L);
    assertThat(changes).extracting(AwarenessChange::origin).contains("timeout");
    assertThat(changes).flatExtracting(AwarenessChange::removed).containsExactly(2L);
  }

  @Test
  void applyUpdate_remoteRemovalOfLocalStateIsRefused() {
    Awareness a = new Awareness(1, now::get);
    Awareness fake = new Awareness(1, now::get);
    fake.setLocalState(null);
    fake.setLocalState(Map.of());
    fake.setLocalState(null); // clock 3, removal
    a.applyUpdate(fake.encodeUpdate(List.of(1L)), "net");
    assertThat(a.localState()).isNotNull();
  }

  @Test
  void applyUpdate_malformedChangesNothing() {
    Awareness a = new Awareness(1, now::get);
    byte[] before = a.encodeUpdate();
    assertThatThrownBy(() -> a.applyUpdate(new byte[] {1, 5, 1, 3, '{', 'x', '}'}, "net"))
        .isInstanceOf(DecodingException.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> a.applyUpdate(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x7F}, "net"))
        .isInstanceOf(DecodingException.class);
    assertThat(a.encodeUpdate()).isEqualTo(before);
  }
  @Test
  void limitRemote_ignoresStatesOverTheSize_andNewClientsBeyondTheCount() {
    Awareness a = new Awareness(1, now::get);
    a.limitRemote(2, 16);
    a.applyUpdate(state(2, 1, "{\"n\":\"" + "x".repeat(20) + "\"}"), "net");
    a.applyUpdate(state(3, 1, "{\"n\":3}"), "net");
    a.applyUpdate(state(9, 1, "null"), "net"); // the removal of a client never heard of
    a.applyUpdate(state(4, 1, "{\"n\":4}"), "net");
    a.applyUpdate(state(5, 1, "{\"n\":5}"), "net");
    a.applyUpdate(state(3, 2, "{\"n\":\"" + "x".repeat(20) + "\"}"), "net"); // a known client, too large

    assertThat(a.knownClients()).containsExactly(1L, 3L, 4L);
    assertThat(a.states()).containsOnlyKeys(1L, 3L, 4L).containsEntry(3L, Map.of("n", 3));
    assertThat(a.ignoredEntries()).isEqualTo(3);
    a.applyUpdate(state(4, 2, "{\"n\":44}"), "net");
    assertThat(a.states()).containsEntry(4L, Map.of("n", 44));
  }

  @Test
  void limitRemote_aStateOverTheSizeIsNotParsed() {
    Awareness a = new Awareness(1, now::get);
    a.limitRemote(10, 16);
    a.applyUpdate(state(2, 1, "not JSON, but too large to be read"), "net");
    assertThat(a.ignoredEntries()).isEqualTo(1);
    assertThatThrownBy(() -> a.applyUpdate(state(2, 1, "{x}"), "net")).isInstanceOf(DecodingException.class);
  }

  @Test
  void limitRemote_clientsGoneForTheTimeoutAreForgotten_andMakeRoom() {
    Awareness a = new Awareness(1, now::get);
    a.limitRemote(1, 64);
    a.applyUpdate(state(2, 1, "{}"), "net");
    a.applyUpdate(state(2, 2, "null"), "net");
    a.applyUpdate(state(3, 1, "{}"), "net");
    assertThat(a.states()).containsOnlyKeys(1L);
    now.addAndGet(Awareness.OUTDATED_TIMEOUT_MS - 1);
    a.checkTimeouts();
    assertThat(a.knownClients()).containsExactly(1L, 2L);
    now.addAndGet(1);
    a.checkTimeouts();
    assertThat(a.knownClients()).containsExactly(1L);

    a.applyUpdate(state(3, 1, "{}"), "net");
    assertThat(a.states()).containsOnlyKeys(1L, 3L);
    now.addAndGet(Awareness.OUTDATED_TIMEOUT_MS);
    a.checkTimeouts(); // the state times out...
    a.checkTimeouts(); // ...and the client is forgotten
    assertThat(a.knownClients()).containsExactly(1L);
  }

  @Test
  void withoutLimits_everyClientIsRemembered_asYProtocolsDoes() {
    Awareness a = new Awareness(1, now::get);
    a.applyUpdate(state(9, 1, "null"), "net");
    a.applyUpdate(state(2, 1, "{\"n\":\"" + "x".repeat(20) + "\"}"), "net");
    now.addAndGet(10 * Awareness.OUTDATED_TIMEOUT_MS);
    a.checkTimeouts();
    a.checkTimeouts();
    assertThat(a.knownClients()).containsExactly(1L, 9L, 2L);
    assertThat(a.ignoredEntries()).isZero();
  }

  @Test
  void limitRemote_refusesBoundsThatHoldNothing() {
    Awareness a = new Awareness(1, now::get);
    assertThatThrownBy(() -> a.limitRemote(0, 64)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRemoteClients must be at least 1 but was 0");
    assertThatThrownBy(() -> a.limitRemote(1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxStateBytes must be at least 2 but was 1");
  }

  /** An update of one entry: {@code client}'s state {@code json} at {@code clock}. */
  private static byte[] state(long client, long clock, String json) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(client);
    out.writeVarUint(clock);
    out.writeVarString(json);
    return out.toByteArray();
  }
}
